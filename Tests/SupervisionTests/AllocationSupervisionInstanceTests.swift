import ClusterModel
import Testing

@testable import Supervision

@Suite struct AllocationSupervisionInstanceTests {
    static let policy = RestartPolicy(attempts: 0, interval: .seconds(60), delay: .seconds(1), mode: .fail)

    func settings(_ name: String, type: JobType = .service, leader: Bool = false) -> TaskSupervisionSettings {
        TaskSupervisionSettings(taskName: name, jobType: type, restartPolicy: Self.policy, isLeader: leader)
    }

    func reports(_ directives: [AllocationSupervisionDirective]) -> [AllocationStatusReport] {
        directives.compactMap { if case .report(let report) = $0 { report } else { nil } }
    }

    func signalled(_ directives: [AllocationSupervisionDirective]) -> [String] {
        directives.compactMap { if case .task(let name, .signal) = $0 { name } else { nil } }
    }

    @Test func theClientStatusFollowsTheTasksFromPendingToRunningToComplete() {
        var allocation = AllocationSupervisionInstance(tasks: [settings("a", type: .batch), settings("b", type: .batch)])
        let clock = TestClock()
        #expect(allocation.lastReport.clientStatus == .pending)
        _ = allocation.start(now: clock.now)
        let running = allocation.spawned(task: "a", pid: 10, now: clock.now)
        #expect(reports(running).last?.clientStatus == .running)
        _ = allocation.spawned(task: "b", pid: 11, now: clock.now)
        _ = allocation.exited(task: "a", exit: TaskExit(code: 0), now: clock.now)
        #expect(allocation.lastReport.clientStatus == .running)
        let done = allocation.exited(task: "b", exit: TaskExit(code: 0), now: clock.now)
        #expect(reports(done).last?.clientStatus == .complete)
        #expect(allocation.isFinished)
    }

    @Test func aFailedTaskKillsItsSiblingsAndFailsTheAllocation() throws {
        var allocation = AllocationSupervisionInstance(tasks: [settings("web"), settings("sidecar")])
        let clock = TestClock()
        _ = allocation.start(now: clock.now)
        _ = allocation.spawned(task: "web", pid: 10, now: clock.now)
        _ = allocation.spawned(task: "sidecar", pid: 11, now: clock.now)
        let directives = allocation.exited(task: "web", exit: TaskExit(code: 2), now: clock.now)
        #expect(signalled(directives) == ["sidecar"])
        #expect(reports(directives).last?.clientStatus == .failed)
        let sidecar = try #require(allocation.tasks["sidecar"])
        #expect(sidecar.state.events.contains { $0.kind == .siblingFailed })
        _ = allocation.exited(task: "sidecar", exit: TaskExit(code: 143, signal: 15), now: clock.now)
        #expect(allocation.isFinished)
        #expect(allocation.lastReport.clientStatus == .failed)
        #expect(allocation.tasks["sidecar"]?.state.failed == false)
    }

    @Test func aDeadLeaderStopsTheOtherTasksAndTheAllocationCompletes() {
        var allocation = AllocationSupervisionInstance(tasks: [settings("main", type: .batch, leader: true), settings("helper", type: .batch)])
        let clock = TestClock()
        _ = allocation.start(now: clock.now)
        _ = allocation.spawned(task: "main", pid: 10, now: clock.now)
        _ = allocation.spawned(task: "helper", pid: 11, now: clock.now)
        let directives = allocation.exited(task: "main", exit: TaskExit(code: 0), now: clock.now)
        #expect(signalled(directives) == ["helper"])
        _ = allocation.exited(task: "helper", exit: TaskExit(code: 143, signal: 15), now: clock.now)
        #expect(allocation.lastReport.clientStatus == .complete)
    }

    @Test func stoppingTheAllocationKillsEveryRunningTaskAndDoesNotFailIt() {
        var allocation = AllocationSupervisionInstance(tasks: [settings("a"), settings("b")])
        let clock = TestClock()
        _ = allocation.start(now: clock.now)
        _ = allocation.spawned(task: "a", pid: 10, now: clock.now)
        _ = allocation.spawned(task: "b", pid: 11, now: clock.now)
        #expect(Set(signalled(allocation.stop(now: clock.now))) == ["a", "b"])
        _ = allocation.exited(task: "a", exit: TaskExit(code: 143, signal: 15), now: clock.now)
        _ = allocation.exited(task: "b", exit: TaskExit(code: 143, signal: 15), now: clock.now)
        #expect(allocation.isFinished)
        #expect(allocation.lastReport.clientStatus == .complete)
    }

    @Test func aReportIsOnlyProducedWhenSomethingChanged() {
        var allocation = AllocationSupervisionInstance(tasks: [settings("a")])
        let clock = TestClock()
        _ = allocation.start(now: clock.now)
        _ = allocation.spawned(task: "a", pid: 10, now: clock.now)
        #expect(reports(allocation.spawned(task: "a", pid: 10, now: clock.now)).isEmpty)
        #expect(reports(allocation.exited(task: "ghost", exit: TaskExit(code: 1), now: clock.now)).isEmpty)
    }

    @Test func theTasksOwnRestartPolicyOverridesTheGroups() throws {
        let own = RestartPolicy(attempts: 9, interval: .seconds(9), delay: .seconds(9), mode: .delay)
        let group = GroupSpec(
            name: "g", tasks: [TaskSpec(name: "t", driver: "raw_exec", restart: own), TaskSpec(name: "u", driver: "raw_exec")],
            restart: Self.policy, reschedule: nil
        )
        let job = JobSpec(id: "j", type: .batch, groups: [group])
        var generator = SystemRandomNumberGenerator()
        let allocationRecord = Allocation(
            id: .random(using: &generator), evaluationID: .random(using: &generator), nodeID: .random(using: &generator),
            nodeName: "n", job: job, jobVersion: 0, groupName: "g", index: 0
        )
        let allocation = try #require(AllocationSupervisionInstance(allocation: allocationRecord))
        #expect(allocation.tasks["t"]?.settings.restartPolicy == own)
        #expect(allocation.tasks["u"]?.settings.restartPolicy == Self.policy)
        #expect(allocation.taskOrder == ["t", "u"])
    }

    @Test func combiningTaskStatesFollowsNomadsPrecedence() {
        let failed = TaskState(state: .dead, failed: true)
        let running = TaskState(state: .running)
        let pending = TaskState(state: .pending)
        let done = TaskState(state: .dead)
        #expect(AllocationStatusReport.combine(["a": failed, "b": running]).0 == .failed)
        #expect(AllocationStatusReport.combine(["a": pending, "b": running]).0 == .running)
        #expect(AllocationStatusReport.combine(["a": pending, "b": done]).0 == .pending)
        #expect(AllocationStatusReport.combine(["a": done, "b": done]).0 == .complete)
    }
}
