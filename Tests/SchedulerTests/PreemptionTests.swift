import ClusterModel
import Scheduler
import Foundation
import Testing

/// Preemption as a user sees it: a high-priority job that does not fit stops just enough
/// lower-priority work, only when the operator switched it on for that scheduler type, and
/// never touches work within ten priority points of its own.
@Suite struct PreemptionTests {
    /// One node (4000 MHz, 8192 MiB) filled by `count` allocations of a job of `priority`,
    /// each `cpuMHz`/`memoryMiB`.
    static func fullNode(
        jobs: [(id: String, priority: Int, count: Int, cpuMHz: Int, memoryMiB: Int)], nodes: Int = 1,
        preemptService: Bool = true
    ) -> FakeState {
        var state = FakeState()
        for index in 0..<nodes { state.nodes.append(Fixture.node("n\(index)")) }
        state.configuration.preemptionConfig.serviceSchedulerEnabled = preemptService
        for (offset, filler) in jobs.enumerated() {
            var spec = Fixture.job(filler.id, type: .batch, count: filler.count, cpuMHz: filler.cpuMHz, memoryMiB: filler.memoryMiB)
            spec.priority = filler.priority
            state.register(spec)
            let plan = schedule(spec, in: state, seed: UInt64(offset + 1))
            state.commit(plan)
            for allocation in plan.placed { state.setClientStatus(.running, of: allocation.id) }
        }
        return state
    }

    static func service(priority: Int = 90, cpuMHz: Int = 1000, memoryMiB: Int = 2048) -> JobSpec {
        var spec = Fixture.job("web", cpuMHz: cpuMHz, memoryMiB: memoryMiB)
        spec.priority = priority
        return spec
    }

    @Test func aServiceThatDoesNotFitStopsNothingWhileServicePreemptionIsOffAsByDefault() {
        var state = Self.fullNode(jobs: [("batch", 20, 8, 500, 1024)], preemptService: false)
        #expect(state.configuration.preemptionConfig == PreemptionConfig(), "service preemption is off by default")
        let web = Self.service()
        state.register(web)
        let plan = schedule(web, in: state)
        #expect(plan.placed.isEmpty)
        #expect(plan.stopped.isEmpty)
        #expect(plan.evaluation.failedGroupAllocations["app"]?.dimensionExhausted["cpu"] != nil)
        #expect(!plan.followupEvaluations.contains { $0.triggeredBy == .preemption })
    }

    @Test func aHighPriorityServiceStopsLowerPriorityBatchWorkNamingTheAllocationThatTookItsPlace() throws {
        var state = Self.fullNode(jobs: [("batch", 20, 8, 500, 1024)])
        let web = Self.service()
        state.register(web)
        let plan = schedule(web, in: state)
        let placed = try #require(plan.placed.first)
        #expect(plan.placed.count == 1)
        #expect(plan.stopped.count == 2, "1000 MHz / 2048 MiB needs exactly two 500 MHz / 1024 MiB allocations gone")
        for stop in plan.stopped {
            #expect(stop.jobID == "batch")
            #expect(stop.desiredStatus == .stop)
            #expect(stop.desiredDescription == "Preempted by allocation \(placed.id) of job web (priority 90)")
        }
        let followup = try #require(plan.followupEvaluations.first { $0.jobID == "batch" })
        #expect(followup.triggeredBy == .preemption)
        #expect(followup.status == .pending)
        #expect(followup.priority == 20)
    }

    @Test func workWithinTenPriorityPointsOfTheNewJobIsNeverPreempted() {
        var close = Self.fullNode(jobs: [("batch", 81, 8, 500, 1024)])
        let web = Self.service()
        close.register(web)
        let refused = schedule(web, in: close)
        #expect(refused.placed.isEmpty && refused.stopped.isEmpty)

        var far = Self.fullNode(jobs: [("batch", 80, 8, 500, 1024)])
        far.register(web)
        let accepted = schedule(web, in: far)
        #expect(accepted.placed.count == 1 && accepted.stopped.count == 2)
    }

    @Test func theLowestPriorityWorkIsPreemptedFirst() {
        var state = Self.fullNode(jobs: [("middle", 50, 4, 500, 1024), ("low", 10, 4, 500, 1024)])
        let web = Self.service(cpuMHz: 500, memoryMiB: 1024)
        state.register(web)
        let plan = schedule(web, in: state)
        #expect(plan.placed.count == 1)
        #expect(plan.stopped.map(\.jobID) == ["low"])
    }

    @Test func oneLargeAllocationIsPreemptedRatherThanSeveralSmallOnes() {
        // n0 runs eight small allocations, n1 one large and four small ones, all priority 20:
        // the service needs 2000 MHz / 4096 MiB, which one allocation on n1 frees.
        var state = FakeState()
        state.nodes = [Fixture.node("n0"), Fixture.node("n1")]
        state.configuration.preemptionConfig.serviceSchedulerEnabled = true
        var small = Fixture.job("small", type: .batch, count: 12, cpuMHz: 500, memoryMiB: 1024)
        small.priority = 20
        var large = Fixture.job("large", type: .batch, count: 1, cpuMHz: 2000, memoryMiB: 4096)
        large.priority = 20
        state.register(small)
        state.register(large)
        func allocation(_ job: JobSpec, index: Int, on node: Node) -> Allocation {
            var generator = SeededGenerator(seed: UInt64(index + 1) &* (job.id == "large" ? 1000 : 1))
            var made = Allocation(
                id: .random(using: &generator), evaluationID: .random(using: &generator), nodeID: node.id, nodeName: node.name,
                job: job, jobVersion: 0, groupName: "app", index: index,
                taskResources: ["main": job.groups[0].tasks[0].resources], createTime: Fixture.start, modifyTime: Fixture.start)
            made.clientStatus = .running
            return made
        }
        for index in 0..<8 { state.allocations.append(allocation(small, index: index, on: state.nodes[0])) }
        for index in 8..<12 { state.allocations.append(allocation(small, index: index, on: state.nodes[1])) }
        state.allocations.append(allocation(large, index: 0, on: state.nodes[1]))
        let web = Self.service(cpuMHz: 2000, memoryMiB: 4096)
        state.register(web)
        let plan = schedule(web, in: state)
        #expect(plan.placed.first?.nodeID == state.nodes[1].id)
        #expect(plan.stopped.map(\.jobID) == ["large"])
    }

    @Test func anAllocationHoldingAStaticPortTheNewJobNeedsIsPreempted() {
        var state = FakeState()
        state.nodes = [Fixture.node("n0")]
        state.configuration.preemptionConfig.serviceSchedulerEnabled = true
        let port = [NetworkSpec(reservedPorts: [NetworkSpec.Port(label: "http", value: 8080)])]
        var holder = Fixture.job("holder", type: .batch, cpuMHz: 100, memoryMiB: 128, networks: port)
        holder.priority = 30
        var other = Fixture.job("other", type: .batch, count: 3, cpuMHz: 100, memoryMiB: 128)
        other.priority = 10
        for spec in [holder, other] {
            state.register(spec)
            state.commit(schedule(spec, in: state))
        }
        var web = Fixture.job("web", cpuMHz: 100, memoryMiB: 128, networks: port)
        web.priority = 90
        state.register(web)
        let plan = schedule(web, in: state)
        #expect(plan.placed.count == 1)
        #expect(plan.stopped.map(\.jobID) == ["holder"], "only the port's holder stands in the way")
    }

    @Test func systemJobsPreemptByDefaultOnANodeThatIsFull() {
        var state = Self.fullNode(jobs: [("batch", 20, 8, 500, 1024)], preemptService: false)
        var agent = Fixture.job("agent", type: .system, cpuMHz: 200, memoryMiB: 256)
        agent.priority = 90
        state.register(agent)
        let plan = schedule(agent, in: state)
        #expect(plan.placed.count == 1)
        #expect(plan.stopped.count == 1 && plan.stopped.allSatisfy { $0.jobID == "batch" })
    }

    @Test func theReplicatedConfigurationDecodesMissingSwitchesAsTheirDefaults() throws {
        let json = #"{"preemptionConfig": {"serviceSchedulerEnabled": true}}"#
        let decoded = try JSONDecoder().decode(SchedulerConfiguration.self, from: Data(json.utf8))
        #expect(decoded.preemptionEnabled(for: .service))
        #expect(decoded.preemptionEnabled(for: .system))
        #expect(!decoded.preemptionEnabled(for: .batch))
        #expect(!decoded.preemptionEnabled(for: .sysbatch))
    }
}
