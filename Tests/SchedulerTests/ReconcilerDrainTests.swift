import ClusterModel
import Scheduler
import Testing

/// Draining a node moves its allocations elsewhere no faster than `migrate { max_parallel }`.
@Suite struct ReconcilerDrainTests {
    /// Four instances on node "a" (the only node at first), then two more nodes join and "a"
    /// starts draining.
    func drainingNodeA(_ job: JobSpec, deadline: Timestamp? = nil) -> (FakeState, NodeID) {
        var state = FakeState()
        state.nodes = [Fixture.node("a")]
        state.register(job)
        state.commit(schedule(job, in: state))
        for allocation in state.allocations { state.setClientStatus(.running, of: allocation.id) }
        state.nodes += [Fixture.node("b"), Fixture.node("c")]
        let drained = state.nodes[0].id
        state.nodes[0].drain = true
        state.nodes[0].eligibility = .ineligible
        state.nodes[0].drainStrategy = DrainStrategy(deadline: deadline, startedAt: Fixture.start)
        return (state, drained)
    }

    func job(maxParallel: Int, type: JobType = .service) -> JobSpec {
        var job = Fixture.job("web", type: type, count: 4, cpuMHz: 10, memoryMiB: 10)
        job.groups[0].migrate = MigrateStrategy(maxParallel: maxParallel)
        return job
    }

    @Test func aDrainMovesAtMostMaxParallelAllocationsUntilTheirReplacementsRun() {
        let job = job(maxParallel: 2)
        var (state, drained) = drainingNodeA(job)
        let first = schedule(job, in: state, trigger: .nodeDrain)
        #expect(first.stopped.count == 2)
        #expect(first.stopped.allSatisfy { $0.desiredStatus == .evict && $0.nodeID == drained })
        #expect(first.placed.count == 2)
        #expect(first.placed.allSatisfy { $0.nodeID != drained && $0.previousAllocation != nil })
        state.commit(first)

        // The replacements are still pending: nothing more moves.
        #expect(schedule(job, in: state, trigger: .nodeDrain).isEmpty)

        // One replacement runs: one more may move.
        state.setClientStatus(.running, of: first.placed[0].id)
        let second = schedule(job, in: state, trigger: .nodeDrain)
        #expect(second.stopped.count == 1)
        #expect(second.placed.count == 1)
    }

    @Test func atTheDeadlineEverythingLeftMovesAtOnce() {
        let job = job(maxParallel: 1)
        let (state, drained) = drainingNodeA(job, deadline: Fixture.start + .seconds(60))
        #expect(schedule(job, in: state, trigger: .nodeDrain, now: Fixture.start + .seconds(1)).stopped.count == 1)
        let forced = schedule(job, in: state, trigger: .nodeDrain, now: Fixture.start + .seconds(60))
        #expect(forced.stopped.count == 4)
        #expect(forced.placed.count == 4)
        #expect(forced.placed.allSatisfy { $0.nodeID != drained })
    }

    @Test func batchAllocationsFinishTheirWorkUntilTheDeadline() {
        let job = job(maxParallel: 1, type: .batch)
        let (state, _) = drainingNodeA(job, deadline: Fixture.start + .seconds(60))
        #expect(schedule(job, in: state, trigger: .nodeDrain, now: Fixture.start + .seconds(1)).isEmpty)
        #expect(schedule(job, in: state, trigger: .nodeDrain, now: Fixture.start + .seconds(61)).stopped.count == 4)
    }

    @Test func systemAllocationsStayWhenTheDrainIgnoresSystemJobs() {
        let job = Fixture.job("agent", type: .system, cpuMHz: 10, memoryMiB: 10)
        var state = FakeState()
        state.nodes = [Fixture.node("a"), Fixture.node("b")]
        state.register(job)
        state.commit(schedule(job, in: state))
        for allocation in state.allocations { state.setClientStatus(.running, of: allocation.id) }
        state.nodes[0].drain = true
        state.nodes[0].eligibility = .ineligible
        state.nodes[0].drainStrategy = DrainStrategy(deadline: nil, ignoreSystemJobs: true, startedAt: Fixture.start)
        #expect(schedule(job, in: state, trigger: .nodeDrain).isEmpty)
        state.nodes[0].drainStrategy?.ignoreSystemJobs = false
        #expect(schedule(job, in: state, trigger: .nodeDrain).stopped.map(\.nodeID) == [state.nodes[0].id])
    }
}
