import Raft
import Testing
import Wire
import TestSupport

@Suite struct RaftMessageCodecTests {
    static let full = RaftMessage(
        kind: .appendEntries, from: RaftNodeID(1), to: RaftNodeID(0xABCDEF), term: 7, index: 41, logTerm: 6, commit: 40,
        entries: [
            LogEntry(term: 7, index: 42, kind: .empty),
            LogEntry(term: 7, index: 43, kind: .command, data: Array("put x=1".utf8)),
            LogEntry(term: 7, index: 44, kind: .configurationChange, data: [1, 2, 3]),
        ],
        reject: true, hintIndex: 30, hintTerm: 5, context: [9, 9], isLeadershipTransfer: true,
        snapshot: SnapshotMetadata(
            index: 20, term: 4, configuration: RaftConfiguration(voters: [RaftNodeID(1), RaftNodeID(2)], learners: [RaftNodeID(3)])),
        snapshotOffset: 1024, snapshotTotalBytes: 4096, snapshotData: Array(repeating: 0xAB, count: 100), snapshotDone: true)

    @Test func everyFieldOfEveryKindSurvivesTheTrip() throws {
        for kind in RaftMessage.Kind.allCases {
            var message = Self.full
            message.kind = kind
            #expect(try RaftMessageCodec.decode(RaftMessageCodec.encode(message)) == message)
        }
        let bare = RaftMessage(kind: .heartbeat, from: RaftNodeID(2), to: RaftNodeID(1), term: 3)
        #expect(try RaftMessageCodec.decode(RaftMessageCodec.encode(bare)) == bare)
        #expect(RaftMessageCodec.encode(bare).count < 20, "a heartbeat must stay small")
    }

    @Test func everyTruncationOfAValidFrameIsAnErrorNotACrash() {
        let bytes = RaftMessageCodec.encode(Self.full)
        for length in 0..<bytes.count {
            #expect(throws: WireError.self) { try RaftMessageCodec.decode(Array(bytes.prefix(length))) }
        }
    }

    @Test func unknownVersionsKindsAndFlagsAreRefused() {
        var bytes = RaftMessageCodec.encode(Self.full)
        bytes[0] = 99
        #expect(throws: WireError.unknownTag(field: "version", tag: 99)) { try RaftMessageCodec.decode(bytes) }
        bytes[0] = RaftMessageCodec.version
        bytes[1] = 200
        #expect(throws: WireError.unknownTag(field: "kind", tag: 200)) { try RaftMessageCodec.decode(bytes) }
    }

    @Test func limitsAreEnforcedWhileDecoding() {
        let bytes = RaftMessageCodec.encode(Self.full)
        #expect(throws: WireError.self) { try RaftMessageCodec.decode(bytes, limits: RaftWireLimits(maximumEntries: 2)) }
        #expect(throws: WireError.self) { try RaftMessageCodec.decode(bytes, limits: RaftWireLimits(maximumSnapshotChunkBytes: 10)) }
        #expect(throws: WireError.self) { try RaftMessageCodec.decode(bytes, limits: RaftWireLimits(maximumMessageBytes: 5)) }
    }

    /// Random frames (with a valid version and kind, so decoding gets past the header) never
    /// crash, and whatever decodes is a message that survives its own round trip.
    @Test func randomBytesNeverCrashAndWhatDecodesRoundTrips() throws {
        var generator = SplitMix64(state: 42)
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 64)
            var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            if !bytes.isEmpty { bytes[0] = RaftMessageCodec.version }
            if bytes.count > 1 { bytes[1] = UInt8(1 + generator.next() % 13) }
            guard let message = try? RaftMessageCodec.decode(bytes) else { continue }
            #expect(try RaftMessageCodec.decode(RaftMessageCodec.encode(message)) == message)
        }
    }

}
