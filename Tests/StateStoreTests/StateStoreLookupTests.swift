import ClusterModel
import Foundation
import StateStore
import Testing

@Suite struct StateStoreLookupTests {
    /// A store with allocations whose IDs are chosen to share prefixes.
    func store(with ids: [String]) -> StateStore {
        var harness = Harness()
        let node = harness.addNode("a")
        let job = Fixture.job("web", count: ids.count)
        var placements: [Allocation] = []
        for (index, id) in ids.enumerated() {
            placements.append(
                Allocation(
                    id: AllocationID(uuid: id), evaluationID: EvaluationID(uuid: "e"), nodeID: node.id, nodeName: "a",
                    job: job, jobVersion: 0, groupName: "app", index: index))
        }
        harness.apply(.registerJob(job, evaluation: nil, submitTime: harness.now))
        let evaluation = harness.evaluation(for: job)
        let plan = Plan(
            evaluationID: evaluation.id, jobID: "web", namespace: "default", priority: 50,
            placements: [node.id: placements], evaluation: evaluation)
        harness.apply(.applyPlan(plan, time: harness.now))
        return harness.store
    }

    @Test func aUniquePrefixOrTheFullIDFindsTheAllocation() throws {
        let store = store(with: ["abc111", "abd222", "ff0000"])
        #expect(try store.allocation(idPrefix: "ff").id.uuid == "ff0000")
        #expect(try store.allocation(idPrefix: "ABC").id.uuid == "abc111")
        #expect(try store.allocation(idPrefix: "abd222").id.uuid == "abd222")
    }

    @Test func anAmbiguousPrefixListsTheMatches() {
        let store = store(with: ["abc111", "abd222", "ff0000"])
        #expect(throws: LookupError.ambiguous(kind: "allocation", prefix: "ab", matches: ["abc111", "abd222"])) {
            try store.allocation(idPrefix: "ab")
        }
        let error = LookupError.ambiguous(kind: "allocation", prefix: "ab", matches: ["abc111", "abd222"])
        #expect(error.description == "prefix \"ab\" matches several allocations: abc111, abd222")
    }

    @Test func anUnknownOrEmptyPrefixIsNotFound() {
        let store = store(with: ["abc111"])
        #expect(throws: LookupError.notFound(kind: "allocation", prefix: "zz")) { try store.allocation(idPrefix: "zz") }
        #expect(throws: LookupError.notFound(kind: "allocation", prefix: "")) { try store.allocation(idPrefix: "") }
        #expect(throws: LookupError.notFound(kind: "node", prefix: "zz")) { try store.node(idPrefix: "zz") }
    }

    @Test func nodesAndEvaluationsAreFoundByPrefixToo() throws {
        var harness = Harness()
        let node = harness.addNode("a")
        let evaluationID = harness.run(Fixture.job("web"))
        #expect(try harness.store.node(idPrefix: node.id.short).id == node.id)
        #expect(try harness.store.evaluation(idPrefix: evaluationID.short).id == evaluationID)
    }

    @Test func allocationsAreListedByJobAndByNodeOldestFirst() {
        var harness = Harness()
        let a = harness.addNode("a", memoryMiB: 600)
        let b = harness.addNode("b", memoryMiB: 600)
        harness.run(Fixture.job("web", count: 4))
        #expect(harness.store.allocations(jobID: "web").count == 4)
        #expect(harness.store.allocations(onNode: a.id).count == 2)
        #expect(harness.store.allocations(onNode: b.id).count == 2)
        #expect(harness.store.usage(onNode: a.id).memoryMiB == 512)
    }

    @Test func aRestoredSnapshotIsAnEqualStoreEvenAfterAJSONRoundTrip() throws {
        var harness = Harness(seed: 11)
        _ = harness.addNode("a")
        _ = harness.addNode("b")
        harness.run(Fixture.job("web", count: 3))
        harness.run(Fixture.job("report", type: .batch, count: 2))
        var job = Fixture.job("web", count: 5)
        job.meta["v"] = "2"
        harness.run(job)
        let first = harness.store.allocations(jobID: "report")[0]
        harness.report(first.id, .failed)
        let snapshot = harness.store.snapshot()
        let data = try JSONEncoder().encode(snapshot)
        let decoded = try JSONDecoder().decode(StateSnapshot.self, from: data)
        #expect(decoded == snapshot)
        let restored = StateStore(restoring: decoded)
        #expect(restored == harness.store)
        #expect(restored.index(of: .allocations) == harness.store.index(of: .allocations))
    }
}

@Suite struct StateCommandCodingTests {
    @Test func commandsSurviveAJSONRoundTripSoALogCanCarryThem() throws {
        var harness = Harness()
        let job = Fixture.job("web")
        let evaluation = harness.evaluation(for: job)
        let node = Node(id: .random(using: &harness.random), name: "a", resources: NodeResources(cpuMHz: 1, cores: 1, memoryMiB: 1))
        let commands: [StateCommand] = [
            .registerJob(job, evaluation: evaluation, submitTime: harness.now),
            .deregisterJob(namespace: "default", jobID: "web", purge: true, evaluation: nil, time: harness.now),
            .upsertNode(node, evaluations: [evaluation], time: harness.now),
            .updateNodeEligibility(node.id, eligibility: .ineligible, drain: true, evaluations: [], time: harness.now),
            .updateAllocations(
                [ClientAllocationUpdate(id: AllocationID(uuid: "x"), clientStatus: .failed, taskStates: ["main": TaskState()])],
                evaluations: [evaluation], time: harness.now),
            .garbageCollect(evaluations: [evaluation.id], allocations: [AllocationID(uuid: "x")]),
        ]
        let data = try JSONEncoder().encode(commands)
        #expect(try JSONDecoder().decode([StateCommand].self, from: data) == commands)
    }
}
