import ClusterModel
import Scheduler
import Testing

@Suite struct SchedulerPlacementTests {
    func cluster(_ names: [String], cpuMHz: Int = 4000, memoryMiB: Int = 8192) -> FakeState {
        var state = FakeState()
        state.nodes = names.map { Fixture.node($0, cpuMHz: cpuMHz, memoryMiB: memoryMiB) }
        return state
    }

    @Test func aServiceIsPlacedAtItsCountWithOneAllocationPerIndex() {
        var state = cluster(["a", "b", "c"])
        let job = Fixture.job("web", count: 3)
        state.register(job)
        let plan = schedule(job, in: state)
        #expect(plan.placed.map(\.index) == [0, 1, 2])
        #expect(plan.placed.map(\.name) == ["web.app[0]", "web.app[1]", "web.app[2]"])
        #expect(plan.placed.allSatisfy { $0.desiredStatus == .run && $0.clientStatus == .pending })
        #expect(plan.evaluation.status == .complete)
        #expect(plan.evaluation.queuedAllocations == ["app": 0])
        #expect(plan.followupEvaluations.isEmpty)
    }

    @Test func replicasSpreadOverEqualNodesBecauseOfAntiAffinity() {
        var state = cluster(["a", "b", "c"])
        let job = Fixture.job("web", count: 3)
        state.register(job)
        let plan = schedule(job, in: state)
        #expect(Set(plan.placed.map(\.nodeID)).count == 3)
    }

    @Test func binPackingPrefersTheNodeThatIsAlreadyFuller() {
        var state = cluster(["a", "b"])
        let other = Fixture.job("other", memoryMiB: 4096)
        state.register(other)
        state.commit(schedule(other, in: state))
        let busy = state.allocations[0].nodeID
        let job = Fixture.job("web", count: 1, memoryMiB: 1024)
        state.register(job)
        for seed in 1...5 as ClosedRange<UInt64> {
            #expect(schedule(job, in: state, seed: seed).placed.first?.nodeID == busy)
        }
    }

    @Test func tiesAreBrokenByTheInjectedGeneratorSoTheSameSeedGivesTheSamePlan() {
        var state = cluster(["a", "b", "c", "d"])
        let job = Fixture.job("web", count: 1)
        state.register(job)
        let first = schedule(job, in: state, seed: 7)
        #expect(first == schedule(job, in: state, seed: 7))
        let chosen = Set((1...40 as ClosedRange<UInt64>).compactMap { schedule(job, in: state, seed: $0).placed.first?.nodeID })
        #expect(chosen.count > 1)
    }

    @Test func aGroupThatFitsNowhereSaysWhyAndLeavesABlockedEvaluation() {
        var state = FakeState()
        state.nodes = [
            Fixture.node("small-1", memoryMiB: 512), Fixture.node("small-2", memoryMiB: 512),
            Fixture.node("win", attributes: ["kernel.name": "windows"]),
        ]
        let job = Fixture.job(
            "web", count: 2, memoryMiB: 1024,
            constraints: [Constraint(leftTarget: "${attr.kernel.name}", rightTarget: "linux", operand: "=")])
        state.register(job)
        let plan = schedule(job, in: state)
        #expect(plan.placed.isEmpty)
        let metrics = plan.evaluation.failedGroupAllocations["app"]
        #expect(metrics?.summary() == "0/3 nodes: 2 memory exhausted, 1 constraint ${attr.kernel.name} = linux")
        #expect(metrics?.coalescedFailures == 1)
        #expect(plan.evaluation.queuedAllocations == ["app": 2])
        let blocked = plan.followupEvaluations.first
        #expect(blocked?.status == .blocked)
        #expect(blocked?.triggeredBy == .queuedAllocations)
        #expect(plan.evaluation.blockedEvaluation == blocked?.id)
    }

    @Test func aMissingDriverIsNamedInTheReasons() {
        var state = cluster(["a", "b"])
        let job = Fixture.job("web", driver: "oci")
        state.register(job)
        let plan = schedule(job, in: state)
        #expect(plan.evaluation.failedGroupAllocations["app"]?.constraintFiltered == ["missing driver \"oci\"": 2])
    }

    @Test func aBridgeModeGroupGoesOnlyToNodesThatBuildBridgeNetworks() {
        var state = cluster(["plain", "bridged"])
        state.nodes[1].attributes["network.bridge"] = "1"
        var job = Fixture.job("web", count: 2)
        job.groups[0].networks = [NetworkSpec(mode: "bridge")]
        state.register(job)
        let plan = schedule(job, in: state)
        #expect(plan.placed.count == 2)
        #expect(Set(plan.placed.map(\.nodeName)) == ["bridged"])

        var isolated = Fixture.job("sealed")
        isolated.groups[0].networks = [NetworkSpec(mode: "none")]
        state.register(isolated)
        let refused = schedule(isolated, in: state)
        #expect(refused.evaluation.failedGroupAllocations["app"]?.constraintFiltered == ["missing network mode \"none\"": 2])
    }

    @Test func aRetriedBlockedEvaluationThatStillCannotPlaceBlocksAgainWithoutANewOne() {
        var state = cluster(["a"], memoryMiB: 100)
        let job = Fixture.job("web")
        state.register(job)
        let plan = schedule(job, in: state, trigger: .queuedAllocations)
        #expect(plan.evaluation.status == .blocked)
        #expect(plan.followupEvaluations.isEmpty)
    }

    @Test func nodesThatAreNotReadyEligibleOrInTheDatacenterAreNotConsidered() {
        var state = FakeState()
        var draining = Fixture.node("draining")
        draining.drain = true
        var ineligible = Fixture.node("ineligible")
        ineligible.eligibility = .ineligible
        state.nodes = [
            Fixture.node("down", status: .down), draining, ineligible, Fixture.node("elsewhere", datacenter: "dc2"),
            Fixture.node("good"),
        ]
        let job = Fixture.job("web", count: 2, datacenters: ["dc1"])
        state.register(job)
        let plan = schedule(job, in: state)
        #expect(plan.placed.map(\.nodeName) == ["good", "good"])
        #expect(plan.placed.first?.metrics.nodesEvaluated == 1)
    }

    @Test func dynamicPortsComeFromTheRangeAndNeverCollideOnANode() {
        var state = cluster(["a"], cpuMHz: 100_000, memoryMiB: 100_000)
        let network = NetworkSpec(dynamicPorts: [.init(label: "http"), .init(label: "admin")])
        let job = Fixture.job("web", count: 50, cpuMHz: 10, memoryMiB: 10, networks: [network])
        state.register(job)
        let plan = schedule(job, in: state)
        let ports = plan.placed.flatMap(\.ports).map(\.value)
        #expect(ports.count == 100)
        #expect(Set(ports).count == 100)
        #expect(ports.allSatisfy { (20000...32000).contains($0) })
    }

    @Test func aStaticPortHeldOnANodeExhaustsThePortsDimension() {
        var state = cluster(["a"])
        let network = NetworkSpec(reservedPorts: [.init(label: "http", value: 8080)])
        let job = Fixture.job("web", count: 2, networks: [network])
        state.register(job)
        let plan = schedule(job, in: state)
        #expect(plan.placed.count == 1)
        #expect(plan.placed.first?.ports == [AllocatedPort(label: "http", value: 8080)])
        #expect(plan.evaluation.failedGroupAllocations["app"]?.dimensionExhausted == ["ports": 1])
    }

    @Test func distinctHostsPutsAtMostOneAllocationOnANode() {
        var state = cluster(["a", "b"])
        let job = Fixture.job("web", count: 3, constraints: [Constraint(operand: "distinct_hosts")])
        state.register(job)
        let plan = schedule(job, in: state)
        #expect(plan.placed.count == 2)
        #expect(Set(plan.placed.map(\.nodeID)).count == 2)
        #expect(plan.evaluation.failedGroupAllocations["app"]?.constraintFiltered["constraint distinct_hosts"] == 2)
    }

    @Test func distinctPropertyLimitsAllocationsPerValue() {
        var state = FakeState()
        state.nodes = [
            Fixture.node("a", meta: ["rack": "r1"]), Fixture.node("b", meta: ["rack": "r1"]),
            Fixture.node("c", meta: ["rack": "r2"]),
        ]
        let job = Fixture.job(
            "web", count: 3,
            groupConstraints: [Constraint(leftTarget: "${meta.rack}", rightTarget: "1", operand: "distinct_property")])
        state.register(job)
        let plan = schedule(job, in: state)
        #expect(plan.placed.count == 2)
        let racks = plan.placed.compactMap { alloc in state.nodes.first { $0.id == alloc.nodeID }?.meta["rack"] }
        #expect(racks.sorted() == ["r1", "r2"])
    }

    @Test func wholeCoresAreReservedAtTheNodesSpeedPerCore() {
        var state = cluster(["a"], cpuMHz: 4000)
        var job = Fixture.job("web")
        job.groups[0].tasks[0].resources.cores = 2
        state.register(job)
        let plan = schedule(job, in: state)
        #expect(plan.placed.first?.taskResources["main"]?.cpuMHz == 2000)
    }

    @Test func aHugeResourceAskFitsNowhereInsteadOfOverflowing() {
        var state = cluster(["a"])
        let job = Fixture.job("web", cpuMHz: .max, memoryMiB: .max)
        state.register(job)
        let plan = schedule(job, in: state)
        #expect(plan.placed.isEmpty)
        #expect(plan.evaluation.failedGroupAllocations["app"]?.dimensionExhausted == ["cpu": 1])
    }

    @Test func placingAHundredOnOneNodeAndTenThousandOnAHundredNodesNeverOvercommits() {
        var small = cluster(["only"], cpuMHz: 10_000, memoryMiB: 100 * 64)
        let hundred = Fixture.job("hundred", count: 100, cpuMHz: 100, memoryMiB: 64)
        small.register(hundred)
        let clock = ContinuousClock()
        let smallStart = clock.now
        let smallPlan = schedule(hundred, in: small)
        let smallTime = clock.now - smallStart
        #expect(smallPlan.placed.count == 100)

        var big = cluster((0..<100).map { "n\($0)" }, cpuMHz: 10_000, memoryMiB: 100 * 64)
        let large = Fixture.job("large", count: 10_000, cpuMHz: 100, memoryMiB: 64)
        big.register(large)
        let bigStart = clock.now
        let bigPlan = schedule(large, in: big)
        let bigTime = clock.now - bigStart
        #expect(bigPlan.placed.count == 10_000)
        #expect(bigPlan.placements.values.allSatisfy { $0.count == 100 })
        print("placement: 100 on 1 node in \(smallTime), 10,000 on 100 nodes in \(bigTime)")
    }
}

@Suite struct SchedulerLimitTests {
    @Test func aHugeCountIsPlacedInBoundedSlicesWithAFollowUpEvaluation() {
        var state = FakeState()
        state.nodes = [Fixture.node("a", cpuMHz: 1_000_000, memoryMiB: 1_000_000)]
        let job = Fixture.job("huge", count: 1_000_000_000, cpuMHz: 1, memoryMiB: 1)
        state.register(job)
        var generator = SeededGenerator(seed: 4)
        let scheduler = Scheduler(settings: SchedulerSettings(maximumPlacementsPerEvaluation: 50))
        let plan = scheduler.process(Fixture.evaluation(for: job), state: state, now: Fixture.start, random: &generator)
        #expect(plan.placed.count == 50)
        #expect(plan.evaluation.queuedAllocations["app"] == 1_000_000_000 - 50)
        #expect(plan.followupEvaluations.map(\.status) == [.pending])
        #expect(plan.evaluation.blockedEvaluation == nil)
    }
}
