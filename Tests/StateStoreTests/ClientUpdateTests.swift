import ClusterModel
import StateStore
import Testing

@Suite struct ClientUpdateTests {
    @Test func aWorkersReportUpdatesTaskStatesAndCarriesTheFailuresEvaluation() throws {
        var harness = Harness()
        _ = harness.addNode("a")
        let job = Fixture.job("web")
        harness.run(job)
        let allocation = harness.store.allocations(jobID: "web")[0]
        let followup = harness.evaluation(for: job, trigger: .allocationFailure)
        harness.report(allocation.id, .failed, evaluations: [followup])
        let updated = try #require(harness.store.allocation(id: allocation.id))
        #expect(updated.clientStatus == .failed)
        #expect(updated.taskStates["main"]?.failed == true)
        #expect(updated.modifyIndex == harness.index)
        #expect(updated.createIndex < updated.modifyIndex)
        #expect(harness.store.evaluation(id: followup.id)?.status == .pending)
        #expect(harness.store.usage(onNode: allocation.nodeID).allocationCount == 0)
    }

    @Test("an operator's verdict committed after a fresher worker report sets the health and keeps the worker's status and task states")
    func anOperatorsVerdictKeepsTheWorkersFresherReport() throws {
        var harness = Harness()
        _ = harness.addNode("a")
        harness.run(Fixture.job("web"))
        let read = harness.store.allocations(jobID: "web")[0]
        // The verdict was built from this read (pending, no task states); the worker then reports.
        harness.report(read.id, .running)
        let reported = try #require(harness.store.allocation(id: read.id))
        let verdict = ClientAllocationUpdate(
            id: read.id, clientStatus: read.clientStatus, clientDescription: read.clientDescription, taskStates: read.taskStates,
            deploymentStatus: AllocationDeploymentStatus(healthy: true, timestamp: harness.now), healthOnly: true)
        harness.apply(.updateAllocations([verdict], evaluations: [], time: harness.now))
        let after = try #require(harness.store.allocation(id: read.id))
        #expect(after.clientStatus == .running)
        #expect(after.taskStates == reported.taskStates)
        #expect(after.deploymentStatus?.healthy == true)

        // Once the allocation has stopped, a late verdict judges nothing.
        harness.report(read.id, .failed)
        var unhealthy = verdict
        unhealthy.deploymentStatus = AllocationDeploymentStatus(healthy: false, timestamp: harness.now)
        harness.apply(.updateAllocations([unhealthy], evaluations: [], time: harness.now))
        #expect(harness.store.allocation(id: read.id)?.clientStatus == .failed)
        #expect(harness.store.allocation(id: read.id)?.deploymentStatus?.healthy == true)
    }

    @Test func aLostAllocationCannotBeRevivedByALateReport() throws {
        var harness = Harness()
        _ = harness.addNode("a")
        _ = harness.addNode("b")
        harness.run(Fixture.job("web"))
        let allocation = harness.store.allocations(jobID: "web")[0]
        harness.report(allocation.id, .running)
        let down = harness.store.evaluationsForNodeChange(allocation.nodeID, now: harness.now, random: &harness.random)
        #expect(down.map(\.jobID) == ["web"])
        harness.apply(.updateNodeStatus(allocation.nodeID, status: .down, description: "", evaluations: down, time: harness.now))
        harness.process(down[0].id)
        #expect(harness.store.allocation(id: allocation.id)?.clientStatus == .lost)
        harness.report(allocation.id, .running)
        #expect(harness.store.allocation(id: allocation.id)?.clientStatus == .lost)
        let live = harness.store.allocations(jobID: "web").filter { !$0.isTerminal }
        #expect(live.count == 1)
        #expect(live.first?.nodeID != allocation.nodeID)
    }

    @Test func unknownTasksAndOverlongEventListsAreTrimmed() throws {
        var harness = Harness()
        _ = harness.addNode("a")
        harness.run(Fixture.job("web"))
        let allocation = harness.store.allocations(jobID: "web")[0]
        var state = TaskState(state: .running)
        state.events = (0..<50).map { TaskEvent(kind: .started, time: Timestamp(nanosecondsSinceEpoch: Int64($0))) }
        harness.apply(
            .updateAllocations(
                [ClientAllocationUpdate(id: allocation.id, clientStatus: .running, taskStates: ["main": state, "bogus": state])],
                evaluations: [], time: harness.now))
        let updated = try #require(harness.store.allocation(id: allocation.id))
        #expect(Array(updated.taskStates.keys) == ["main"])
        #expect(updated.taskStates["main"]?.events.count == TaskState.maximumEvents)
    }
}
