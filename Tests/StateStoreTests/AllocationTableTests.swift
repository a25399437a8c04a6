import ClusterModel
import Scheduler
import StateStore
import Testing

/// Allocations are kept boxed so a snapshot is cheap to keep while plans apply; a snapshot
/// must still never see a later write.
@Suite struct AllocationTableTests {
    @Test func aSnapshotTakenBeforeAPlanAndAClientUpdateStillShowsTheOldAllocations() throws {
        var harness = Harness()
        _ = harness.addNode("a")
        _ = harness.addNode("b")
        harness.run(Fixture.job("web", count: 3))
        let before = harness.store
        let first = try #require(before.allocations(namespace: "default", jobID: "web").first)
        harness.report(first.id, .failed)
        harness.run(Fixture.job("api", count: 2))

        #expect(before.allocation(id: first.id)?.clientStatus == .pending)
        #expect(harness.store.allocation(id: first.id)?.clientStatus == .failed)
        #expect(before.allocations(namespace: "default", jobID: "api").isEmpty)
        #expect(harness.store.allocations(namespace: "default", jobID: "api").count == 2)
        #expect(before != harness.store)
    }

    @Test func storesThatHoldTheSameAllocationsAreEqualAndOnesThatDifferInOneFieldAreNot() throws {
        var harness = Harness()
        _ = harness.addNode("a")
        harness.run(Fixture.job("web", count: 2))
        let restored = StateStore(restoring: harness.store.snapshot())
        #expect(restored == harness.store)

        let allocation = try #require(harness.store.allocations(namespace: "default", jobID: "web").first)
        var changed = harness.store.snapshot()
        let position = try #require(changed.allocations.firstIndex { $0.id == allocation.id })
        changed.allocations[position].clientDescription = "different"
        #expect(StateStore(restoring: changed) != harness.store)
    }
}
