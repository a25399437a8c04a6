import ClusterModel
import Scheduler
import StateStore
import Testing

@Suite struct PlanValidationTests {
    /// A 1000 MiB node and two jobs of 600 MiB, each planned on the same snapshot: each plan
    /// fits alone, together they would overcommit the node.
    static func twoPlansFromOneSnapshot(_ harness: inout Harness) -> (node: Node, first: Plan, second: Plan) {
        let node = harness.addNode("a", memoryMiB: 1000)
        let first = Fixture.job("first", memoryMiB: 600)
        let second = Fixture.job("second", memoryMiB: 600)
        let firstEvaluation = harness.evaluation(for: first)
        let secondEvaluation = harness.evaluation(for: second)
        harness.apply(.registerJob(first, evaluation: firstEvaluation, submitTime: harness.now))
        harness.apply(.registerJob(second, evaluation: secondEvaluation, submitTime: harness.now))
        let old = harness.store
        let planA = harness.scheduler.process(firstEvaluation, state: old, now: harness.now, random: &harness.random)
        let planB = harness.scheduler.process(secondEvaluation, state: old, now: harness.now, random: &harness.random)
        return (node, planA, planB)
    }

    @Test func aPlanMadeOnAnOlderSnapshotIsRejectedOnANodeThatFilledUpSince() throws {
        var harness = Harness()
        let (node, planA, planB) = Self.twoPlansFromOneSnapshot(&harness)
        let verdictA = harness.store.validate(planA)
        #expect(verdictA.isFullyAccepted)
        harness.apply(.applyPlan(verdictA.accepted, time: harness.now))
        let verdictB = harness.store.validate(planB)
        #expect(verdictB.rejectedNodes == [node.id: "memory exhausted"])
        #expect(verdictB.accepted.placements.isEmpty)
        #expect(verdictB.accepted.evaluation.status == .pending)
        #expect(verdictA.accepted.evaluation.status == .complete)
    }

    @Test func aSubmittedPlanIsCheckedWhenAppliedSoTwoPlansFromOneSnapshotCannotOvercommit() throws {
        var harness = Harness()
        let (node, planA, planB) = Self.twoPlansFromOneSnapshot(&harness)
        let outcomeA = try harness.store.apply(.submitPlan(planA, time: harness.now), index: harness.store.latestIndex + 1).get()
        #expect(outcomeA.rejectedNodes.isEmpty)
        let outcomeB = try harness.store.apply(.submitPlan(planB, time: harness.now), index: harness.store.latestIndex + 1).get()
        #expect(outcomeB.rejectedNodes == [node.id: "memory exhausted"])
        #expect(harness.store.allocations(jobID: "second").isEmpty)
        #expect(harness.store.usage(onNode: node.id).memoryMiB <= 1000)
    }

    @Test func placementsOnANodeThatWentDownAreRejectedButStopsAreKept() throws {
        var harness = Harness()
        let a = harness.addNode("a")
        harness.run(Fixture.job("old"))
        let job = Fixture.job("web")
        let evaluation = harness.evaluation(for: job)
        harness.apply(.registerJob(job, evaluation: evaluation, submitTime: harness.now))
        var plan = harness.scheduler.process(evaluation, state: harness.store, now: harness.now, random: &harness.random)
        let old = harness.store.allocations(jobID: "old")[0]
        var stop = old
        stop.desiredStatus = .stop
        plan.stops[a.id] = [stop]
        harness.apply(.updateNodeStatus(a.id, status: .down, description: "missed heartbeats", evaluations: [], time: harness.now))
        let verdict = harness.store.validate(plan)
        #expect(verdict.rejectedNodes == [a.id: "node is down"])
        #expect(verdict.accepted.stops[a.id]?.map(\.id) == [old.id])
    }

    @Test func stoppingInTheSamePlanFreesRoomForItsPlacements() throws {
        var harness = Harness()
        _ = harness.addNode("a", memoryMiB: 1000)
        var job = Fixture.job("web", memoryMiB: 600)
        harness.run(job)
        job.groups[0].tasks[0].env["X"] = "1"
        let evaluation = harness.evaluation(for: job)
        harness.apply(.registerJob(job, evaluation: evaluation, submitTime: harness.now))
        let processed = harness.process(evaluation.id)
        let verdict = try #require(processed)
        #expect(verdict.isFullyAccepted)
        let allocations = harness.store.allocations(jobID: "web")
        #expect(allocations.map(\.desiredStatus) == [.stop, .run])
        #expect(allocations[0].nextAllocation == allocations[1].id)
        #expect(allocations[1].previousAllocation == allocations[0].id)
    }

    @Test func twoPlansReplacingTheSameFailedAllocationCannotBothWin() throws {
        var harness = Harness()
        _ = harness.addNode("a")
        _ = harness.addNode("b")
        harness.run(Fixture.job("web"))
        let victim = harness.store.allocations(jobID: "web")[0]
        harness.report(victim.id, .failed)
        harness.now = harness.now + .seconds(60)
        let job = try #require(harness.store.job(id: "web")?.spec)
        let one = harness.evaluation(for: job, trigger: .allocationFailure)
        let two = harness.evaluation(for: job, trigger: .allocationFailure)
        harness.apply(.upsertEvaluations([one, two], time: harness.now))
        let snapshot = harness.store
        let planOne = harness.scheduler.process(one, state: snapshot, now: harness.now, random: &harness.random)
        let planTwo = harness.scheduler.process(two, state: snapshot, now: harness.now, random: &harness.random)
        harness.apply(.applyPlan(harness.store.validate(planOne).accepted, time: harness.now))
        let verdict = harness.store.validate(planTwo)
        #expect(!verdict.isFullyAccepted)
        #expect(verdict.rejectedNodes.values.allSatisfy { $0.contains("already replaced") })
    }

    @Test func aNewBlockedEvaluationSupersedesTheOlderOne() {
        var harness = Harness()
        _ = harness.addNode("a", memoryMiB: 100)
        let job = Fixture.job("web")
        let first = harness.run(job)
        let firstBlocked = harness.store.evaluation(id: first)?.blockedEvaluation
        #expect(firstBlocked.flatMap { harness.store.evaluation(id: $0)?.status } == .blocked)
        harness.run(job)
        #expect(harness.store.evaluations(status: .blocked).count == 1)
        #expect(firstBlocked.flatMap { harness.store.evaluation(id: $0)?.status } == .canceled)
        #expect(harness.store.jobSummary(id: "web")["app"]?.queued == 1)
        #expect(harness.store.placementFailures(jobID: "web")["app"]?.summary() == "0/1 nodes: 1 memory exhausted")
        let bigger = harness.addNode("b")
        let retry = harness.store.evaluations(status: .blocked).map { evaluation -> Evaluation in
            var pending = evaluation
            pending.status = .pending
            return pending
        }
        harness.apply(.upsertEvaluations(retry, time: harness.now))
        harness.process(retry[0].id)
        #expect(harness.store.allocations(jobID: "web").map(\.nodeID) == [bigger.id])
        #expect(harness.store.placementFailures(jobID: "web").isEmpty)
        #expect(harness.store.evaluation(id: retry[0].id)?.status == .complete)
    }
}
