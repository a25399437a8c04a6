import ClusterModel
import Testing

@testable import Scheduler

/// A system job's new version with an `update` block goes node by node: at most `max_parallel`
/// replacements per evaluation, a copy that has not started yet still counting, and a
/// follow-up evaluation `stagger` later; without an `update` block every node is replaced at
/// once, as before.
@Suite struct SystemRollingUpdateTests {
    static func job(version: String, update: UpdateStrategy?) -> JobSpec {
        var job = Fixture.job("agent", type: .system)
        job.groups[0].tasks[0].env["VERSION"] = version
        job.groups[0].update = update
        return job
    }

    /// Three nodes running version 0 of the system job.
    static func runningVersionZero(update: UpdateStrategy?) -> FakeState {
        var state = FakeState()
        state.nodes = [Fixture.node("a"), Fixture.node("b"), Fixture.node("c")]
        let job = Self.job(version: "0", update: update)
        state.register(job)
        state.commit(schedule(job, in: state))
        for allocation in state.allocations { state.setClientStatus(.running, of: allocation.id) }
        return state
    }

    static func live(_ state: FakeState) -> [Allocation] {
        state.allocations.filter { $0.desiredStatus == .run && !$0.clientStatus.isTerminal }
    }

    @Test func aNewVersionReplacesOneNodeAtATimeWithTheStaggerBetween() {
        let update = UpdateStrategy(stagger: .seconds(30), maxParallel: 1)
        var state = Self.runningVersionZero(update: update)
        let next = Self.job(version: "1", update: update)
        state.register(next, version: 1)

        var replacedNodes: [NodeID] = []
        var now = Fixture.start
        for round in 0..<3 {
            let plan = schedule(next, in: state, trigger: round == 0 ? .jobRegister : .rollingUpdate, now: now)
            #expect(plan.stopped.count == 1, "round \(round): \(plan.stopped.count) stopped")
            #expect(plan.placed.count == 1)
            #expect(plan.placed.first?.nodeID == plan.stopped.first?.nodeID, "a node's copy is replaced on that node")
            if round < 2 {
                let followup = plan.followupEvaluations.first { $0.triggeredBy == .rollingUpdate }
                #expect(followup?.waitUntil == now + .seconds(30), "round \(round): the rest continues one stagger later")
            } else {
                #expect(!plan.followupEvaluations.contains { $0.triggeredBy == .rollingUpdate }, "nothing is left after the last node")
            }
            state.commit(plan)
            replacedNodes += plan.placed.map(\.nodeID)

            // Evaluated again before the new copy starts: it still counts, nothing more moves.
            let early = schedule(next, in: state, trigger: .rollingUpdate, now: now + .seconds(1))
            #expect(early.stopped.isEmpty && early.placed.isEmpty, "round \(round): a second replacement while the first has not started")

            for allocation in plan.placed { state.setClientStatus(.running, of: allocation.id) }
            #expect(Self.live(state).count == 3, "every node keeps one copy running throughout")
            now = now + .seconds(30)
        }
        #expect(Set(replacedNodes) == Set(state.nodes.map(\.id)))
        #expect(Self.live(state).allSatisfy { $0.jobVersion == 1 })
    }

    @Test func withoutAnUpdateBlockEveryNodeIsReplacedAtOnce() {
        var state = Self.runningVersionZero(update: nil)
        let next = Self.job(version: "1", update: nil)
        state.register(next, version: 1)
        let plan = schedule(next, in: state)
        #expect(plan.stopped.count == 3)
        #expect(plan.placed.count == 3)
        #expect(plan.followupEvaluations.isEmpty)
    }
}
