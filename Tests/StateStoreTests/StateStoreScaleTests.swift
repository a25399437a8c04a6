import ClusterModel
import StateStore
import Testing

@Suite struct StateStoreScaleTests {
    /// Large plans must stay cheap end to end (schedule, re-validate, commit, report), so
    /// the per-node tallies, not scans over every allocation, must do the work. Timings are
    /// printed for the record, never asserted.
    @Test func tenThousandAllocationsOnAHundredNodesArePlacedCommittedAndReportedWithoutOvercommit() throws {
        var harness = Harness(seed: 3)
        for index in 0..<100 { _ = harness.addNode("n\(index)", cpuMHz: 10_000, memoryMiB: 100 * 64) }
        var job = Fixture.job("big", count: 10_000, memoryMiB: 64)
        job.groups[0].tasks[0].resources.cpuMHz = 100
        let clock = ContinuousClock()
        let start = clock.now
        let evaluation = harness.run(job)
        let placed = clock.now
        let allocations = harness.store.allocations(jobID: "big")
        #expect(allocations.count == 10_000)
        #expect(harness.store.evaluation(id: evaluation)?.queuedAllocations == ["app": 0])
        let updates = allocations.map { ClientAllocationUpdate(id: $0.id, clientStatus: .running) }
        harness.apply(.updateAllocations(updates, evaluations: [], time: harness.now))
        let batch = clock.now
        for allocation in allocations.prefix(200) { harness.report(allocation.id, .running) }
        let reported = clock.now
        for node in harness.store.allNodes() {
            let usage = harness.store.usage(onNode: node.id)
            #expect(usage.allocationCount == 100 && usage.memoryMiB <= node.resources.memoryMiB)
        }
        #expect(harness.store.jobSummary(id: "big")["app"]?.running == 10_000)
        #expect(harness.store.job(id: "big")?.status == .running)
        print("store: 10,000 placed and committed in \(placed - start), reported in one batch in \(batch - placed), then 200 single reports in \(reported - batch)")
    }
}
