@testable import ClusterSecurity
import Sodium
import Testing

/// The worked example of docs/security.md, recomputed: if an encoding or a transcript label
/// changes, this fails, and the document (and every other implementation) must change too.
@Suite struct HandshakeVectorTests {
    static func seed(_ byte: UInt8) -> [UInt8] { [UInt8](repeating: byte, count: 32) }

    static func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }

    struct Vector {
        var certificate: [UInt8]
        var clientHello: [UInt8]
        var serverHello: [UInt8]
        var clientFinish: [UInt8]
        var clientTransmitKey: [UInt8]
    }

    static func compute() throws -> Vector {
        let authority = ClusterAuthority(clusterID: [UInt8](repeating: 0xC1, count: 16), keyPair: try #require(Ed25519KeyPair(seed: seed(0x01))))
        let managerKey = try #require(Ed25519KeyPair(seed: seed(0x02)))
        let workerKey = try #require(Ed25519KeyPair(seed: seed(0x03)))
        let now: Int64 = 1_800_000_000
        let manager = NodeIdentity(
            keyPair: managerKey,
            certificate: authority.issue(serial: 1, nodeID: "m1", nodeName: "m1", role: .manager, publicKey: managerKey.publicKey, now: now, validity: 86_400))
        let worker = NodeIdentity(
            keyPair: workerKey,
            certificate: authority.issue(serial: 2, nodeID: "w1", nodeName: "w1", role: .worker, publicKey: workerKey.publicKey, now: now, validity: 86_400))
        let initiator = ChannelInitiator(
            identity: worker, policy: authority.policy(), ephemeral: try #require(KeyExchangeKeyPair(seed: seed(0x04))), nonce: seed(0x05))
        var responder = ChannelResponder(
            identity: manager, policy: authority.policy(), ephemeral: try #require(KeyExchangeKeyPair(seed: seed(0x06))), nonce: seed(0x07))
        let serverHello = try responder.receive(clientHello: initiator.firstMessage)
        let (finish, session) = try initiator.receive(serverHello: serverHello, now: now)
        _ = try responder.receive(clientFinish: finish, now: now)
        return Vector(
            certificate: manager.certificate.encoded, clientHello: initiator.firstMessage, serverHello: serverHello, clientFinish: finish,
            clientTransmitKey: session.keys.transmit)
    }

    @Test func theDocumentedExampleStillHolds() throws {
        let vector = try Self.compute()
        #expect(GenericHash.hash(vector.clientHello + vector.serverHello + vector.clientFinish).prefix(16).map { $0 } == Self.expectedTranscriptDigest,
                "transcript digest is now \(Self.hex(Array(GenericHash.hash(vector.clientHello + vector.serverHello + vector.clientFinish).prefix(16))))")
        #expect(Self.hex(vector.clientHello) == Self.expectedClientHello, "client hello is now \(Self.hex(vector.clientHello))")
        #expect(Self.hex(vector.clientTransmitKey) == Self.expectedClientTransmitKey, "client transmit key is now \(Self.hex(vector.clientTransmitKey))")
    }

    static let expectedClientHello = "010101205fd61ddf41b10f75d39b50e9a30228c7fee22cc8afdb1780e48612babf8ebe11200505050505050505050505050505050505050505050505050505050505050505"
    static let expectedClientTransmitKey = "2dbee6136f3bc5689fce262d305e57009fb98d12296459b8171c51f5f36f042a"
    /// The first 16 bytes of BLAKE2b-256 over the three messages, concatenated.
    static let expectedTranscriptDigest: [UInt8] = Hex.decode("3142bbde4dda639010eb8f0b4d7bb1fc") ?? []
}
