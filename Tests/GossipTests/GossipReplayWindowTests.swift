@testable import Gossip
import Testing

@Suite struct GossipReplayWindowTests {
    static func accepts(_ window: inout GossipReplayWindow, _ sequences: [UInt64]) -> [Bool] {
        sequences.map { window.accept($0) }
    }

    @Test func eachSequenceNumberIsAcceptedOnceEvenOutOfOrder() {
        var window = GossipReplayWindow(first: 1000)
        #expect(Self.accepts(&window, [1002, 1001, 1001, 1000, 1002, 999]) == [true, true, false, false, false, true])
    }

    @Test func numbersOlderThanTheWindowAreRefusedAndALargeJumpForgetsTheOldOnes() {
        var window = GossipReplayWindow(first: 10_000)
        let size = UInt64(GossipReplayWindow.size)
        #expect(Self.accepts(&window, [10_000 - size, 10_000 - size + 1, 20_000, 10_001, 19_999]) == [false, true, true, false, true])
    }

    @Test func shiftsAcrossWordBoundariesKeepWhatWasSeen() {
        var window = GossipReplayWindow(first: 100)
        #expect(Self.accepts(&window, Array(101...170)).allSatisfy { $0 })
        #expect(Self.accepts(&window, Array(100...170)).allSatisfy { !$0 })
        // 130 behind the new highest: still inside the window, and already seen.
        #expect(Self.accepts(&window, [300, 170, 171]) == [true, false, true])
    }

    @Test func theGuardKeepsOneWindowPerSender() {
        var replayGuard = GossipReplayGuard()
        let results = [(1, 5), (2, 5), (1, 5)].map { replayGuard.accept(sender: .init(UInt64($0.0)), sequence: UInt64($0.1)) }
        #expect(results == [true, true, false])
    }
}
