import Gossip
import Platform
import SWIM
import Sodium
import Testing

/// Hand-made datagrams sent to a running agent: only an authentic, fresh packet of its own
/// cluster is answered; every other one is dropped and counted under its reason.
@Suite struct GossipDropTests {
    static let stranger = SWIMNodeID(999)

    /// A sealed ping from `stranger` to the agent, as a peer would send it.
    static func ping(_ agent: GossipShell, keyring: GossipKeyring, cluster: String = GossipTestSupport.cluster,
                     sequence: UInt64) throws -> [UInt8] {
        let message = try SWIMCodec.encode(SWIMMessage(sender: stranger, payload: .ping(sequence: 77, target: agent.nodeID)))
        let body: [UInt8] = [1, 1, UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
        return GossipPacket.seal(body, clusterID: GossipSettings.clusterID(of: cluster), sender: stranger,
                                 sequence: sequence, keyring: keyring)
    }

    @Test func badPacketsAreDroppedAndCountedAndAGoodOneIsAnswered() async throws {
        let keyring = GossipKeyring.generated()
        let agent = try GossipShell.start(settings: GossipTestSupport.settings(1, keyring: keyring))
        let probe = try DatagramSocket(host: "127.0.0.1", port: 0)
        let target = DatagramEndpoint(host: agent.address.host, port: agent.address.port)

        let good = try Self.ping(agent, keyring: keyring, sequence: 100)
        var tampered = good
        tampered[tampered.count - 20] ^= 1
        let wrongKey = try Self.ping(agent, keyring: .generated(), sequence: 101)
        let foreign = try Self.ping(agent, keyring: keyring, cluster: "someone-else", sequence: 102)
        let garbage = GossipPacket.seal([1, 1, 0, 3, 9, 9, 9], clusterID: GossipSettings.clusterID(of: GossipTestSupport.cluster),
                                        sender: Self.stranger, sequence: 103, keyring: keyring)
        for packet in [tampered, wrongKey, foreign, good, good, garbage, [UInt8](repeating: 7, count: 12)] {
            #expect(probe.send(packet, to: target))
        }
        let counted = await GossipTestSupport.waitFor(within: .seconds(10)) { agent.statistics.packetsReceived >= 7 }
        #expect(counted != nil)
        let statistics = agent.statistics
        #expect(statistics.dropped(.authenticationFailed) == 2)
        #expect(statistics.dropped(.otherCluster) == 1)
        #expect(statistics.dropped(.replayed) == 1)
        #expect(statistics.dropped(.undecodable) == 1)
        #expect(statistics.dropped(.malformed) == 1)
        // The one good ping was answered with an ack we can open with the shared key.
        #expect(agent.members.isEmpty, "a ping alone does not make the stranger a member")
        let answered = await GossipTestSupport.waitFor(within: .seconds(5)) { agent.statistics.packetsSent >= 1 }
        #expect(answered != nil)
        var buffer = [UInt8](repeating: 0, count: 2048)
        var reply: DatagramReceipt?
        _ = await GossipTestSupport.waitFor(within: .seconds(5)) {
            reply = buffer.withUnsafeMutableBytes { probe.receive(into: $0) }
            return reply != nil
        }
        let length = try #require(reply).length
        let (header, body) = try GossipPacket.authenticate(Array(buffer.prefix(length)),
                                                           clusterID: GossipSettings.clusterID(of: GossipTestSupport.cluster),
                                                           keyring: keyring).get()
        #expect(header.sender == agent.nodeID)
        let message = try SWIMCodec.decode(Array(body.dropFirst(4)))
        #expect(message.payload == .ack(sequence: 77))
        probe.close()
        await agent.stop()
    }
}
