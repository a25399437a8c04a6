import ClusterModel
import StateStore
import Testing

@Suite struct StateStoreNodeTests {
    @Test func aNodeKeepsItsCreateIndexAndTheOperatorsEligibilityWhenItRegistersAgain() throws {
        var harness = Harness()
        let node = harness.addNode("a")
        harness.apply(.updateNodeEligibility(node.id, eligibility: .ineligible, drain: true, evaluations: [], time: harness.now))
        var again = node
        again.attributes["kernel.version"] = "6.1"
        harness.apply(.upsertNode(again, evaluations: [], time: harness.now))
        let stored = try #require(harness.store.node(id: node.id))
        #expect(stored.createIndex == 1 && stored.modifyIndex == 3)
        #expect(stored.eligibility == .ineligible && stored.drain)
        #expect(stored.attributes["kernel.version"] == "6.1")
        #expect(harness.store.index(of: .nodes) == 3)
    }

    @Test func updatingAnUnknownNodeIsRefused() {
        var harness = Harness()
        let id = NodeID(uuid: "nope")
        #expect(harness.apply(.updateNodeStatus(id, status: .down, description: "", evaluations: [], time: harness.now)) == .failure(.nodeNotFound(id)))
    }

    @Test func aNodeChangeEvaluatesTheJobsOnItAndEverySystemJob() {
        var harness = Harness()
        let a = harness.addNode("a")
        _ = harness.addNode("b", memoryMiB: 100)
        harness.run(Fixture.job("web"))
        harness.run(Fixture.job("agent", type: .system, memoryMiB: 50))
        harness.run(Fixture.job("elsewhere", memoryMiB: 50))
        let evaluations = harness.store.evaluationsForNodeChange(a.id, now: harness.now, random: &harness.random)
        // "elsewhere" bin-packs onto the small node b, so only the system job and "web" concern a.
        #expect(evaluations.map(\.jobID) == ["agent", "web"])
        #expect(evaluations.allSatisfy { $0.triggeredBy == .nodeUpdate && $0.nodeID == a.id })
    }
}
