import Gossip
import SWIM
import Sodium
import Testing

/// Hand-made packets against the opener: only authentic packets of this cluster get through.
@Suite struct GossipPacketTests {
    static let cluster = GossipSettings.clusterID(of: "test")
    static let sender = SWIMNodeID(42)

    @Test func aSealedPacketOpensWithTheSameKeyAndHidesItsBody() throws {
        let keyring = GossipKeyring.generated()
        let body = Array("hello gossip".utf8)
        let packet = GossipPacket.seal(body, clusterID: Self.cluster, sender: Self.sender, sequence: 7, keyring: keyring)
        #expect(packet.count == body.count + GossipPacket.sealingOverhead)
        #expect(!packet.indices.dropLast(body.count - 1).contains { Array(packet[$0..<$0 + body.count]) == body })
        let opened = try GossipPacket.authenticate(packet, clusterID: Self.cluster, keyring: keyring).get()
        #expect(opened.1 == body)
        #expect(opened.0.sender == Self.sender && opened.0.sequence == 7)
    }

    @Test func aPacketSealedWithAWrongKeyFailsAuthentication() {
        let packet = GossipPacket.seal([1, 2, 3], clusterID: Self.cluster, sender: Self.sender, sequence: 1,
                                       keyring: .generated())
        #expect(throws: GossipDropReason.authenticationFailed) {
            try GossipPacket.authenticate(packet, clusterID: Self.cluster, keyring: .generated()).get()
        }
    }

    @Test func changingAnyByteOfHeaderOrBodyFailsAuthentication() {
        let keyring = GossipKeyring.generated()
        let packet = GossipPacket.seal([1, 2, 3, 4], clusterID: Self.cluster, sender: Self.sender, sequence: 1, keyring: keyring)
        // The cluster ID bytes (6..<14) are checked before authentication, so they say "other cluster".
        for index in packet.indices where !(6..<14).contains(index) {
            var tampered = packet
            tampered[index] ^= 0x20
            let result = GossipPacket.authenticate(tampered, clusterID: Self.cluster, keyring: keyring)
            guard case .failure(let reason) = result else {
                Issue.record("byte \(index) changed and the packet still opened")
                continue
            }
            #expect(reason == .authenticationFailed || reason == .malformed, "byte \(index): \(reason)")
        }
    }

    @Test func aPacketOfAnotherClusterIsRefusedBeforeDecryption() {
        let keyring = GossipKeyring.generated()
        let packet = GossipPacket.seal([1], clusterID: GossipSettings.clusterID(of: "other"), sender: Self.sender,
                                       sequence: 1, keyring: keyring)
        #expect(throws: GossipDropReason.otherCluster) {
            try GossipPacket.authenticate(packet, clusterID: Self.cluster, keyring: keyring).get()
        }
    }

    @Test func plaintextIsRefusedWhenEncryptionIsOnAndTruncatedPacketsAreMalformed() {
        let plain = GossipPacket.seal([1], clusterID: Self.cluster, sender: Self.sender, sequence: 1, keyring: GossipKeyring())
        #expect(throws: GossipDropReason.authenticationFailed) {
            try GossipPacket.authenticate(plain, clusterID: Self.cluster, keyring: .generated()).get()
        }
        #expect(throws: GossipDropReason.malformed) {
            try GossipPacket.authenticate(Array(plain.prefix(10)), clusterID: Self.cluster, keyring: GossipKeyring()).get()
        }
        #expect(throws: GossipDropReason.malformed) {
            try GossipPacket.authenticate([], clusterID: Self.cluster, keyring: GossipKeyring()).get()
        }
    }

    @Test func aPacketSealedWithAnOlderKeyStillOpensWhileThatKeyIsInstalled() throws {
        let old = XChaCha20Poly1305.generateKey(), new = XChaCha20Poly1305.generateKey()
        let packet = GossipPacket.seal([9], clusterID: Self.cluster, sender: Self.sender, sequence: 1,
                                       keyring: try GossipKeyring(primary: old))
        var rotated = try GossipKeyring(primary: new, others: [old])
        #expect(try GossipPacket.authenticate(packet, clusterID: Self.cluster, keyring: rotated).get().1 == [9])
        try rotated.remove(old)
        #expect(throws: GossipDropReason.authenticationFailed) {
            try GossipPacket.authenticate(packet, clusterID: Self.cluster, keyring: rotated).get()
        }
    }
}
