import ClusterModel
import Scheduler
import Testing

@Suite struct ReconcilerTests {
    /// A cluster with the job placed and its allocations running.
    func running(_ job: JobSpec, nodes: [String] = ["a", "b", "c"]) -> FakeState {
        var state = FakeState()
        state.nodes = nodes.map { Fixture.node($0) }
        state.register(job)
        state.commit(schedule(job, in: state))
        for allocation in state.allocations { state.setClientStatus(.running, of: allocation.id) }
        return state
    }

    @Test func aRunningServiceAtItsCountNeedsNoChange() {
        let job = Fixture.job("web", count: 3)
        let state = running(job)
        #expect(schedule(job, in: state, seed: 2).isEmpty)
    }

    @Test func stoppingAJobStopsEveryLiveAllocation() {
        let job = Fixture.job("web", count: 3)
        var state = running(job)
        state.register(job, stopped: true)
        let plan = schedule(job, in: state, trigger: .jobDeregister)
        #expect(plan.stopped.count == 3)
        #expect(plan.stopped.allSatisfy { $0.desiredStatus == .stop })
        #expect(plan.placed.isEmpty)
    }

    @Test func aPurgedJobsAllocationsAreStoppedToo() {
        let job = Fixture.job("web", count: 2)
        var state = running(job)
        state.jobs = [:]
        #expect(schedule(job, in: state, trigger: .jobDeregister).stopped.count == 2)
    }

    @Test func loweringTheCountStopsTheHighestIndexes() {
        let job = Fixture.job("web", count: 5, cpuMHz: 10, memoryMiB: 10)
        var state = running(job)
        var smaller = job
        smaller.groups[0].count = 2
        state.register(smaller, version: 1)
        let plan = schedule(smaller, in: state)
        #expect(plan.stopped.map(\.index).sorted() == [2, 3, 4])
        // The kept allocations only take the new version in place: nothing restarts.
        #expect(plan.placed.map(\.index) == [0, 1])
        #expect(plan.placed.allSatisfy { $0.jobVersion == 1 && $0.createIndex == 0 })
    }

    @Test func aChangedTaskReplacesEveryAllocationDestructively() {
        let job = Fixture.job("web", count: 2)
        var state = running(job)
        var changed = job
        changed.groups[0].tasks[0].env["MODE"] = "new"
        state.register(changed, version: 1)
        let plan = schedule(changed, in: state)
        #expect(plan.stopped.count == 2)
        #expect(plan.placed.count == 2)
        #expect(plan.placed.allSatisfy { $0.jobVersion == 1 && $0.previousAllocation != nil })
        #expect(plan.stopped.allSatisfy { $0.desiredDescription.contains("update") })
    }

    func failing(_ job: JobSpec, at failedAt: Timestamp = Fixture.start) -> (FakeState, Allocation) {
        var state = running(job, nodes: ["a", "b"])
        let victim = state.allocations[0]
        state.setClientStatus(.failed, of: victim.id, finishedAt: failedAt)
        return (state, victim)
    }

    @Test func aFailedServiceAllocationIsReplacedOnceItsDelayHasPassed() {
        let job = Fixture.job("web", count: 2)
        let (state, victim) = failing(job)
        let plan = schedule(job, in: state, trigger: .allocationFailure, now: Fixture.start + .seconds(31))
        #expect(plan.placed.count == 1)
        let replacement = plan.placed[0]
        #expect(replacement.previousAllocation == victim.id)
        #expect(replacement.index == victim.index)
        #expect(replacement.rescheduleTracker.events.map(\.previousAllocation) == [victim.id])
        #expect(replacement.rescheduleTracker.events.first?.delay == .seconds(30))
    }

    @Test func aReplacementDueLaterBecomesAFollowUpEvaluationOnlyOnce() {
        let job = Fixture.job("web", count: 2)
        var (state, victim) = failing(job)
        let plan = schedule(job, in: state, trigger: .allocationFailure, now: Fixture.start + .seconds(5))
        #expect(plan.placed.map(\.id) == [victim.id])
        let followup = plan.followupEvaluations.first
        #expect(followup?.waitUntil == Fixture.start + .seconds(30))
        #expect(followup?.triggeredBy == .retryFailedAllocation)
        #expect(plan.placed.first?.followupEvaluationID == followup?.id)
        state.commit(plan)
        let again = schedule(job, in: state, trigger: .allocationFailure, now: Fixture.start + .seconds(6))
        #expect(again.isEmpty)
        #expect(again.followupEvaluations.isEmpty)
    }

    @Test func reschedulingStopsWhenTheAttemptsInTheIntervalAreUsed() {
        let policy = ReschedulePolicy(
            attempts: 1, interval: .seconds(3600), delay: .zero, delayFunction: .constant, maxDelay: .zero,
            unlimited: false)
        let job = Fixture.job("web", count: 1, reschedule: .some(policy))
        var (state, victim) = failing(job)
        let first = schedule(job, in: state, trigger: .allocationFailure)
        #expect(first.placed.count == 1)
        state.commit(first)
        let replacement = first.placed[0]
        state.setClientStatus(.running, of: replacement.id)
        state.setClientStatus(.failed, of: replacement.id, finishedAt: Fixture.start + .seconds(60))
        let second = schedule(job, in: state, trigger: .allocationFailure, now: Fixture.start + .seconds(61))
        #expect(second.isEmpty)
        #expect(state.allocations.first { $0.id == victim.id }?.nextAllocation == replacement.id)
    }

    @Test func withoutAReschedulePolicyAFailedAllocationStaysFailed() {
        let job = Fixture.job("web", count: 1, reschedule: .some(nil))
        let (state, _) = failing(job)
        #expect(schedule(job, in: state, trigger: .allocationFailure, now: Fixture.start + .seconds(999)).isEmpty)
    }

    @Test func allocationsOnADownNodeAreMarkedLostAndReplacedAtOnce() {
        let job = Fixture.job("web", count: 2, constraints: [Constraint(operand: "distinct_hosts")])
        var state = running(job, nodes: ["a", "b", "c"])
        let lostNode = state.allocations[0].nodeID
        let index = state.nodes.firstIndex { $0.id == lostNode }!
        state.nodes[index].status = .down
        let plan = schedule(job, in: state, trigger: .nodeUpdate)
        #expect(plan.stopped.map(\.clientStatus) == [.lost])
        #expect(plan.placed.count == 1)
        #expect(plan.placed[0].nodeID != lostNode)
        #expect(plan.placed[0].previousAllocation == state.allocations[0].id)
    }

    @Test func completedBatchWorkIsNeverRedone() {
        let job = Fixture.job("report", type: .batch, count: 2)
        var state = running(job)
        for allocation in state.allocations { state.setClientStatus(.complete, of: allocation.id, finishedAt: Fixture.start) }
        #expect(schedule(job, in: state, seed: 3).isEmpty)
    }

    @Test func aFailedBatchAllocationIsRetriedPerPolicyThenLeftFailed() {
        let job = Fixture.job("report", type: .batch, count: 1)
        var (state, _) = failing(job)
        let retry = schedule(job, in: state, trigger: .allocationFailure, now: Fixture.start + .seconds(10))
        #expect(retry.placed.count == 1)
        state.commit(retry)
        let second = retry.placed[0]
        state.setClientStatus(.failed, of: second.id, finishedAt: Fixture.start + .seconds(20))
        #expect(schedule(job, in: state, trigger: .allocationFailure, now: Fixture.start + .seconds(40)).isEmpty)
    }

    @Test func aCompletedServiceAllocationIsStartedAgain() {
        let job = Fixture.job("web", count: 1)
        var state = running(job)
        state.setClientStatus(.complete, of: state.allocations[0].id, finishedAt: Fixture.start)
        let plan = schedule(job, in: state)
        #expect(plan.placed.count == 1)
        #expect(plan.placed[0].previousAllocation == state.allocations[0].id)
    }

    @Test func aSystemJobRunsOncePerEligibleNodeThatMeetsItsConstraints() {
        var state = FakeState()
        var draining = Fixture.node("draining")
        draining.drain = true
        state.nodes = [
            Fixture.node("a"), Fixture.node("b"), Fixture.node("win", attributes: ["kernel.name": "windows"]),
            Fixture.node("down", status: .down), draining,
        ]
        let job = Fixture.job(
            "agent", type: .system,
            constraints: [Constraint(leftTarget: "${attr.kernel.name}", rightTarget: "linux", operand: "=")])
        state.register(job)
        let plan = schedule(job, in: state)
        #expect(plan.placed.map(\.nodeName).sorted() == ["a", "b"])
        state.commit(plan)
        #expect(schedule(job, in: state, seed: 5).isEmpty)
        state.nodes.append(Fixture.node("new"))
        let grown = schedule(job, in: state, trigger: .nodeUpdate)
        #expect(grown.placed.map(\.nodeName) == ["new"])
    }

    @Test func aSystemJobLeavesANodeThatNoLongerMeetsItsConstraints() {
        let job = Fixture.job(
            "agent", type: .system,
            constraints: [Constraint(leftTarget: "${meta.role}", rightTarget: "edge", operand: "=")])
        var state = FakeState()
        state.nodes = [Fixture.node("a", meta: ["role": "edge"]), Fixture.node("b", meta: ["role": "edge"])]
        state.register(job)
        state.commit(schedule(job, in: state))
        state.nodes[0].meta["role"] = "core"
        let plan = schedule(job, in: state, trigger: .nodeUpdate)
        #expect(plan.stopped.map(\.nodeID) == [state.nodes[0].id])
        #expect(plan.placed.isEmpty)
    }

    @Test func aSystemJobThatCannotRunAnywhereStillSaysWhy() {
        var state = FakeState()
        state.nodes = [Fixture.node("a"), Fixture.node("b")]
        let job = Fixture.job("agent", type: .system, driver: "oci")
        state.register(job)
        let plan = schedule(job, in: state)
        #expect(plan.placed.isEmpty)
        #expect(plan.evaluation.failedGroupAllocations["app"]?.summary() == "0/2 nodes: 2 missing driver \"oci\"")
    }
}
