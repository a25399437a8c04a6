import ClusterModel
import Scheduler
import Testing

/// `spread` and `affinity` as users write them, on small clusters where the outcome is exact.
@Suite struct SpreadAndAffinityTests {
    /// Three nodes in dc1, one in dc2: packing alone would put most work in dc1.
    func cluster() -> FakeState {
        var state = FakeState()
        state.nodes = [
            Fixture.node("a1", cpuMHz: 8000, memoryMiB: 16384, datacenter: "dc1"),
            Fixture.node("a2", cpuMHz: 8000, memoryMiB: 16384, datacenter: "dc1"),
            Fixture.node("a3", cpuMHz: 8000, memoryMiB: 16384, datacenter: "dc1"),
            Fixture.node("b1", cpuMHz: 8000, memoryMiB: 16384, datacenter: "dc2"),
        ]
        return state
    }

    func counts(_ plan: Plan, in state: FakeState) -> [String: Int] {
        var result: [String: Int] = [:]
        for allocation in plan.placed {
            let node = state.nodes.first { $0.id == allocation.nodeID }
            result[node?.datacenter ?? "?", default: 0] += 1
        }
        return result
    }

    @Test func anEvenSpreadSplitsAGroupAcrossDatacentersWhateverTheirSize() {
        var state = cluster()
        var job = Fixture.job("web", count: 10)
        job.spreads = [Spread(attribute: "${node.datacenter}", weight: 100)]
        state.register(job)
        let plan = schedule(job, in: state, seed: 5)
        #expect(counts(plan, in: state) == ["dc1": 5, "dc2": 5])
    }

    @Test func spreadTargetsGiveEachValueItsPercentage() {
        var state = cluster()
        var job = Fixture.job("web", count: 10)
        job.spreads = [Spread(attribute: "${node.datacenter}", weight: 100, targets: [.init(value: "dc1", percent: 20), .init(value: "dc2", percent: 80)])]
        state.register(job)
        let plan = schedule(job, in: state, seed: 6)
        #expect(counts(plan, in: state) == ["dc1": 2, "dc2": 8])
    }

    @Test func aValueLeftOutOfTheTargetsGetsNothingWhileOthersHaveRoom() {
        var state = cluster()
        var job = Fixture.job("web", count: 4)
        job.spreads = [Spread(attribute: "${node.datacenter}", weight: 100, targets: [.init(value: "dc2", percent: 100)])]
        state.register(job)
        let plan = schedule(job, in: state, seed: 7)
        #expect(counts(plan, in: state) == ["dc2": 4])
    }

    @Test func aPositiveAffinityDrawsWorkToMatchingNodesAndANegativeOnePushesItAway() {
        var state = FakeState()
        state.nodes = [
            Fixture.node("plain", meta: ["disk": "hdd"]),
            Fixture.node("fast", meta: ["disk": "ssd"]),
        ]
        var job = Fixture.job("db", count: 1)
        job.affinities = [Affinity(leftTarget: "${meta.disk}", rightTarget: "ssd", operand: "=", weight: 100)]
        state.register(job)
        let drawn = schedule(job, in: state, seed: 8).placed.map(\.nodeName)
        #expect(drawn == ["fast"])

        job.affinities[0].weight = -100
        state.register(job)
        let pushed = schedule(job, in: state, seed: 8).placed.map(\.nodeName)
        #expect(pushed == ["plain"])
    }

    @Test func anAffinityNeverKeepsWorkFromTheOnlyNodeWithRoom() {
        var state = FakeState()
        state.nodes = [Fixture.node("plain", meta: ["disk": "hdd"])]
        var job = Fixture.job("db", count: 2)
        job.affinities = [Affinity(leftTarget: "${meta.disk}", rightTarget: "ssd", operand: "=", weight: 100)]
        state.register(job)
        #expect(schedule(job, in: state).placed.count == 2)
    }

    @Test func onALargeClusterOnlyALimitedNumberOfNodesIsRankedPerPlacementYetNoneIsOvercommitted() {
        var state = FakeState()
        state.nodes = (0..<300).map { Fixture.node("n\($0)", cpuMHz: 1000, memoryMiB: 2048) }
        state.register(Fixture.job("big", count: 1_200, cpuMHz: 250, memoryMiB: 512))
        let plan = schedule(Fixture.job("big", count: 1_200, cpuMHz: 250, memoryMiB: 512), in: state, seed: 9)
        #expect(plan.placed.count == 1_200)
        let perNode = Dictionary(grouping: plan.placed, by: \.nodeID).mapValues(\.count)
        #expect(perNode.values.allSatisfy { $0 <= 4 })
        // The chosen node was ranked among at most candidateLimit nodes with room, so a
        // placement's metrics never count more exhausted nodes than the cluster has.
        #expect(plan.placed.allSatisfy { $0.metrics.nodesExhausted <= 300 })
    }
}
