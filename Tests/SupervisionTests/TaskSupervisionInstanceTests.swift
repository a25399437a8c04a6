import ClusterModel
import Testing

@testable import Supervision

@Suite struct TaskSupervisionInstanceTests {
    static let batchPolicy = RestartPolicy(attempts: 2, interval: .seconds(300), delay: .seconds(15), mode: .fail)

    func makeTask(
        _ type: JobType = .batch, policy: RestartPolicy = batchPolicy, killSignal: String = "",
        killTimeout: Duration = .seconds(5)
    ) -> TaskSupervisionInstance {
        TaskSupervisionInstance(
            settings: TaskSupervisionSettings(
                taskName: "web", jobType: type, restartPolicy: policy, killSignal: killSignal, killTimeout: killTimeout
            )
        )
    }

    /// Starts the task and reports it running as pid 100.
    func running(_ task: inout TaskSupervisionInstance, clock: TestClock) {
        _ = task.start(now: clock.now)
        _ = task.spawned(pid: 100, now: clock.now)
    }

    func timer(in directives: [TaskSupervisionDirective]) -> (TaskTimer, Duration)? {
        for case .scheduleTimer(let timer, let delay) in directives { return (timer, delay) }
        return nil
    }

    @Test func startingATaskAsksForASpawnAndReportsItPending() {
        var task = makeTask()
        let directives = task.start(now: TestClock().now)
        #expect(directives.contains(.spawn))
        #expect(task.state.state == .pending)
        #expect(task.state.events.map(\.kind) == [.received])
        #expect(task.start(now: TestClock().now).isEmpty)
    }

    @Test func aSpawnedTaskIsRunningWithAStartedEvent() {
        var task = makeTask()
        let clock = TestClock()
        running(&task, clock: clock)
        #expect(task.state.state == .running)
        #expect(task.state.startedAt == clock.now)
        #expect(task.pid == 100)
        #expect(task.state.events.last?.kind == .started)
    }

    @Test func aBatchTaskExitingZeroCompletesAndIsNeverRestarted() {
        var task = makeTask(.batch)
        var clock = TestClock()
        running(&task, clock: clock)
        clock.advance(.seconds(3))
        let directives = task.exited(TaskExit(code: 0), now: clock.now)
        #expect(directives.contains(.cleanUp))
        #expect(timer(in: directives) == nil)
        #expect(task.isDead)
        #expect(task.state.state == .dead)
        #expect(!task.state.failed)
        #expect(task.state.finishedAt == clock.now)
    }

    @Test func aBatchTaskExitingOneIsRestartedAfterTheDelay() throws {
        var task = makeTask(.batch)
        var clock = TestClock()
        running(&task, clock: clock)
        let directives = task.exited(TaskExit(code: 1), now: clock.now)
        #expect(directives.contains(.cleanUp))
        let (restartTimer, delay) = try #require(timer(in: directives))
        #expect(delay == .seconds(15))
        #expect(task.state.state == .pending)
        #expect(task.state.events.suffix(2).map(\.kind) == [.terminated, .restarting])
        #expect(task.state.events.last?.restartDelay == .seconds(15))
        clock.advance(.seconds(15))
        #expect(task.timerFired(restartTimer, now: clock.now) == [.spawn])
        #expect(task.state.restarts == 1)
        #expect(task.state.lastRestart == clock.now)
    }

    @Test func aTaskThatKeepsFailingIsRestartedPerPolicyThenFails() throws {
        var task = makeTask(.batch)
        var clock = TestClock()
        running(&task, clock: clock)
        for attempt in 1...2 {
            let directives = task.exited(TaskExit(code: 1), now: clock.now)
            let (restartTimer, _) = try #require(timer(in: directives), "attempt \(attempt) restarts")
            clock.advance(.seconds(15))
            _ = task.timerFired(restartTimer, now: clock.now)
            _ = task.spawned(pid: Int32(100 + attempt), now: clock.now)
        }
        let directives = task.exited(TaskExit(code: 1), now: clock.now)
        #expect(timer(in: directives) == nil)
        #expect(task.isDead)
        #expect(task.state.failed)
        #expect(task.state.restarts == 2)
        let last = try #require(task.state.events.last)
        #expect(last.kind == .notRestarting)
        #expect(last.failsTask)
        #expect(last.message.contains("Exceeded allowed attempts 2"))
    }

    @Test func aServiceTaskExitingZeroIsRestarted() {
        var task = makeTask(.service)
        let clock = TestClock()
        running(&task, clock: clock)
        let directives = task.exited(TaskExit(code: 0), now: clock.now)
        #expect(timer(in: directives) != nil)
        #expect(!task.isDead)
    }

    @Test func aTaskKilledBySigkillFromOutsideIsRestarted() {
        var task = makeTask(.service)
        let clock = TestClock()
        running(&task, clock: clock)
        let directives = task.exited(TaskExit(code: 137, signal: 9), now: clock.now)
        #expect(timer(in: directives) != nil)
        #expect(task.state.events.contains { $0.kind == .terminated && $0.signal == 9 })
    }

    @Test func anOOMKillIsReportedAsSuch() throws {
        var task = makeTask(.batch)
        let clock = TestClock()
        running(&task, clock: clock)
        _ = task.exited(TaskExit(code: 137, signal: 9, oomKilled: true), now: clock.now)
        let event = try #require(task.state.events.first { $0.kind == .oomKilled })
        #expect(event.oomKilled)
        #expect(event.message.contains("OOM Killed"))
    }

    @Test func stoppingSendsTheKillSignalThenSigkillAfterTheKillTimeout() throws {
        var task = makeTask(.service, killSignal: "int", killTimeout: .seconds(7))
        var clock = TestClock()
        running(&task, clock: clock)
        let directives = task.kill(reason: .stopRequested, now: clock.now)
        #expect(directives.contains(.signal("SIGINT")))
        let (escalation, delay) = try #require(timer(in: directives))
        #expect(delay == .seconds(7))
        #expect(task.isStopping)
        clock.advance(.seconds(7))
        #expect(task.timerFired(escalation, now: clock.now).contains(.killAll))
        let exit = task.exited(TaskExit(code: 137, signal: 9), now: clock.now)
        #expect(exit.contains(.cleanUp))
        #expect(task.isDead)
        #expect(!task.state.failed)
        #expect(task.state.events.last?.kind == .killed)
    }

    @Test func aTaskThatExitsOnTheKillSignalIgnoresTheLaterEscalationTimer() throws {
        var task = makeTask(.service)
        var clock = TestClock()
        running(&task, clock: clock)
        let (escalation, _) = try #require(timer(in: task.kill(reason: .stopRequested, now: clock.now)))
        _ = task.exited(TaskExit(code: 143, signal: 15), now: clock.now)
        clock.advance(.seconds(5))
        #expect(task.timerFired(escalation, now: clock.now).isEmpty)
    }

    @Test func stoppingATaskWaitingToRestartEndsItAtOnceAndCancelsTheRestart() throws {
        var task = makeTask(.service)
        var clock = TestClock()
        running(&task, clock: clock)
        let (restartTimer, _) = try #require(timer(in: task.exited(TaskExit(code: 1), now: clock.now)))
        _ = task.kill(reason: .stopRequested, now: clock.now)
        #expect(task.isDead)
        #expect(!task.state.failed)
        clock.advance(.seconds(15))
        #expect(task.timerFired(restartTimer, now: clock.now).isEmpty)
    }

    @Test func aStopDuringSpawnIsCarriedOutOnceTheProcessRuns() {
        var task = makeTask(.service)
        let clock = TestClock()
        _ = task.start(now: clock.now)
        #expect(task.kill(reason: .stopRequested, now: clock.now).isEmpty)
        let directives = task.spawned(pid: 7, now: clock.now)
        #expect(directives.contains(.signal("SIGTERM")))
    }

    @Test func aSpawnFailureFailsTheTaskWithoutRestarting() throws {
        var task = makeTask(.service)
        let clock = TestClock()
        _ = task.start(now: clock.now)
        let directives = task.spawnFailed(message: "executable not found: nope", now: clock.now)
        #expect(timer(in: directives) == nil)
        #expect(task.isDead)
        #expect(task.state.failed)
        let event = try #require(task.state.events.last)
        #expect(event.kind == .driverFailure)
        #expect(event.message == "executable not found: nope")
    }

    @Test func aDriverNoteWhileStartingIsADriverEventAndIsReportedButAfterTheStartItIsIgnored() throws {
        var task = makeTask(.service)
        let clock = TestClock()
        _ = task.start(now: clock.now)
        let directives = task.driverNote("registry down; using the cached image", now: clock.now)
        #expect(directives == [.report(task.state)])
        let event = try #require(task.state.events.last)
        #expect(event.kind == .driver && event.message == "registry down; using the cached image")
        #expect(!task.isDead && !task.state.failed)
        _ = task.spawned(pid: 9, now: clock.now)
        #expect(task.driverNote("late", now: clock.now).isEmpty)
        #expect(task.state.events.last?.kind == .started)
    }

    @Test func aSetupFailureIsReportedAsSetupFailure() {
        var task = makeTask(.service)
        _ = task.start(now: TestClock().now)
        _ = task.spawnFailed(message: "template", isSetupFailure: true, now: TestClock().now)
        #expect(task.state.events.last?.kind == .setupFailure)
    }

    @Test func eventsStayBoundedForATaskThatRestartsForever() throws {
        var task = makeTask(.service, policy: RestartPolicy(attempts: 1, interval: .seconds(1), delay: .seconds(2), mode: .fail))
        var clock = TestClock()
        running(&task, clock: clock)
        for round in 0..<50 {
            let (restartTimer, delay) = try #require(timer(in: task.exited(TaskExit(code: 1), now: clock.now)), "round \(round)")
            clock.advance(delay)
            _ = task.timerFired(restartTimer, now: clock.now)
            _ = task.spawned(pid: Int32(200 + round), now: clock.now)
        }
        #expect(task.state.restarts == 50)
        #expect(task.state.events.count <= TaskState.maximumEvents)
    }

    @Test func killSignalNamesAreNormalised() {
        #expect(TaskSupervisionSettings.normalizedSignal("") == "SIGTERM")
        #expect(TaskSupervisionSettings.normalizedSignal("hup") == "SIGHUP")
        #expect(TaskSupervisionSettings.normalizedSignal("SIGUSR1") == "SIGUSR1")
    }

    @Test func eventsFromTheWrongPhaseAreIgnored() {
        var task = makeTask()
        let clock = TestClock()
        #expect(task.spawned(pid: 1, now: clock.now).isEmpty)
        #expect(task.exited(TaskExit(code: 0), now: clock.now).isEmpty)
        #expect(task.spawnFailed(message: "x", now: clock.now).isEmpty)
        #expect(task.state.events.isEmpty)
    }

    @Test func theWorkerCapsAJobsKillTimeout() {
        let group = GroupSpec(name: "g", restart: Self.batchPolicy, reschedule: nil)
        let task = TaskSpec(name: "t", driver: "raw_exec", killTimeout: .seconds(86_400))
        #expect(TaskSupervisionSettings(task: task, group: group, jobType: .service).killTimeout == .seconds(30))
        #expect(TaskSupervisionSettings(task: task, group: group, jobType: .service, maximumKillTimeout: .seconds(2)).killTimeout == .seconds(2))
    }
}
