import Raft
import Testing

@Suite struct RaftApplyLimitTests {
    @Test func aReadyHandsOutCommittedEntriesInBoundedSteps() {
        var cluster = RaftTestCluster(voters: [1]) { $0.maxApplyBytesPerReady = 100 }
        cluster.elect(1)
        for value in 0..<10 { _ = cluster[1].propose([UInt8](repeating: UInt8(value), count: 40)) }
        var sizes: [Int] = []
        while cluster[1].hasReady {
            let ready = cluster[1].ready()
            sizes.append(ready.committedEntries.count)
            cluster[1].advance(ready)
        }
        // 64 bytes per entry as counted: one entry per Ready once the limit bites.
        #expect(sizes.filter { $0 > 0 }.allSatisfy { $0 <= 2 })
        #expect(cluster[1].appliedIndex == 12)
    }
}
