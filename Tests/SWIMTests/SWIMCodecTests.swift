import SWIM
import Testing

@Suite struct SWIMCodecTests {
    static let metadata = SWIMMetadata(nodeID: "5f2c-ü", nodeName: "node-ü", role: "manager", rpcAddress: "[::1]:4647", datacenter: "dc1",
                                       tags: ["rack": "r1", "zone": "z"])

    static let messages: [SWIMMessage] = [
        SWIMMessage(sender: SWIMNodeID(1), payload: .gossip),
        SWIMMessage(sender: SWIMNodeID(.max), payload: .ping(sequence: .max, target: SWIMNodeID(2)), gossip: [
            SWIMGossip(status: .alive, member: SWIMNodeID(3), incarnation: .max, address: SWIMAddress(host: "::1", port: 65535),
                       metadata: metadata, reporter: SWIMNodeID(3)),
            SWIMGossip(status: .suspect, member: SWIMNodeID(4), incarnation: 300, address: SWIMAddress(host: "10.0.0.4", port: 1),
                       reporter: SWIMNodeID(5)),
        ]),
        SWIMMessage(sender: SWIMNodeID(7), payload: .pingRequest(sequence: 9, target: SWIMNodeID(8),
                                                                  address: SWIMAddress(host: "h", port: 2), wantsNack: true)),
        SWIMMessage(sender: SWIMNodeID(7), payload: .ack(sequence: 0), gossip: [
            SWIMGossip(status: .left, member: SWIMNodeID(9), incarnation: 1, address: SWIMAddress(host: "", port: 0), reporter: SWIMNodeID(9)),
        ]),
        SWIMMessage(sender: SWIMNodeID(7), payload: .nack(sequence: 12), gossip: [
            SWIMGossip(status: .dead, member: SWIMNodeID(9), incarnation: 127, address: SWIMAddress(host: "a", port: 80), reporter: SWIMNodeID(2)),
        ]),
    ]

    @Test(arguments: messages)
    func everyMessageSurvivesARoundTrip(_ message: SWIMMessage) throws {
        #expect(try SWIMCodec.decode(SWIMCodec.encode(message)) == message)
    }

    @Test func theFullStateSurvivesARoundTrip() throws {
        let state = Fixture.instance(others: 20).fullState()
        #expect(try SWIMCodec.decodeState(SWIMCodec.encodeState(state)) == state)
    }

    @Test(arguments: messages)
    func everyTruncationIsRefused(_ message: SWIMMessage) throws {
        let bytes = try SWIMCodec.encode(message)
        for length in 0..<bytes.count {
            #expect(throws: SWIMCodecError.self) { try SWIMCodec.decode(Array(bytes.prefix(length))) }
        }
        #expect(throws: SWIMCodecError.trailingBytes(1)) { try SWIMCodec.decode(bytes + [0]) }
    }

    @Test func hostileCountsLengthsAndTagsAreRefusedWithAPreciseError() throws {
        var ping = try SWIMCodec.encode(SWIMMessage(sender: SWIMNodeID(1), payload: .gossip))
        ping.removeLast()
        #expect(throws: SWIMCodecError.tooMany("gossip entries", 65)) { try SWIMCodec.decode(ping + [65]) }
        #expect(throws: SWIMCodecError.overlongVarint) { try SWIMCodec.decode(ping + Array(repeating: 0xFF, count: 11)) }
        #expect(throws: SWIMCodecError.unsupportedVersion(2)) { try SWIMCodec.decode([2] + ping.dropFirst()) }
        var badTag = ping
        badTag[9] = 9
        #expect(throws: SWIMCodecError.unknownTag("payload", 9)) { try SWIMCodec.decode(badTag + [0]) }
        // One entry whose host claims 1 GB, then one whose host is not UTF-8.
        let entryHead: [UInt8] = [0] + Array(repeating: 1, count: 8) + [0] + Array(repeating: 2, count: 8)
        #expect(throws: SWIMCodecError.tooLong("host", 1 << 30)) {
            try SWIMCodec.decode(ping + [1] + entryHead + [0x80, 0x80, 0x80, 0x80, 0x04])
        }
        #expect(throws: SWIMCodecError.invalidUTF8("host")) { try SWIMCodec.decode(ping + [1] + entryHead + [2, 0xC3, 0x28, 0, 0, 0]) }
        #expect(throws: SWIMCodecError.unknownTag("status", 4)) { try SWIMCodec.decode(ping + [1, 4]) }
        // A state claiming a million members in a few bytes.
        #expect(throws: SWIMCodecError.tooMany("members", 1_000_000)) { try SWIMCodec.decodeState([1, 0xC0, 0x84, 0x3D]) }
        #expect(throws: SWIMCodecError.truncated) { try SWIMCodec.decodeState([1, 0xFF, 0x0F]) }
    }

    @Test func oversizedValuesAreRefusedWhenEncoding() {
        let host = SWIMAddress(host: String(repeating: "h", count: 300), port: 1)
        #expect(throws: SWIMCodecError.self) {
            try SWIMCodec.encode(SWIMMessage(sender: SWIMNodeID(1), payload: .gossip,
                                             gossip: [SWIMGossip(status: .alive, member: SWIMNodeID(2), incarnation: 0, address: host, reporter: SWIMNodeID(2))]))
        }
        let tags = Dictionary(uniqueKeysWithValues: (0..<40).map { ("k\($0)", "v") })
        #expect(throws: SWIMCodecError.tooMany("tags", 40)) { try SWIMMetadata(tags: tags).validate() }
    }

    /// A seeded fuzz: random mutations of valid messages either decode to something that
    /// encodes back to the same bytes, or are refused; nothing traps.
    @Test func mutatedMessagesDecodeCanonicallyOrAreRefused() throws {
        var random = SWIMRandom(seed: SimulationSeeds.seeds(default: [11]).first!)
        let originals = try Self.messages.map { try SWIMCodec.encode($0) }
        var refused = 0
        for _ in 0..<20_000 {
            var bytes = originals.randomElement(using: &random)!
            for _ in 0...Int.random(in: 0...3, using: &random) {
                switch Int.random(in: 0...2, using: &random) {
                case 0 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &random)] = .random(in: 0...255, using: &random)
                case 1 where !bytes.isEmpty: bytes.remove(at: Int.random(in: 0..<bytes.count, using: &random))
                default: bytes.insert(.random(in: 0...255, using: &random), at: Int.random(in: 0...bytes.count, using: &random))
                }
            }
            do {
                let message = try SWIMCodec.decode(bytes)
                let again = try SWIMCodec.encode(message)
                #expect(try SWIMCodec.decode(again) == message)
            } catch {
                refused += 1
            }
        }
        #expect(refused > 1000)
    }
}
