@testable import ClusterSecurity
import Sodium
import Testing

/// The pieces of a join around the handshake: tokens derived from the CA seed, the bounded
/// deny-list, the sealed ask and grant, and the credentials file's encoding.
@Suite struct JoinMessagesTests {
    static let seed = [UInt8](repeating: 7, count: 32)

    static func token(_ role: NodeRole, _ generation: UInt64, seed: [UInt8] = seed) -> JoinToken {
        let key = Ed25519KeyPair(seed: seed)!
        return JoinToken.derived(caSeed: seed, caPublicKey: key.publicKey, role: role, generation: generation)
    }

    @Test func aDerivedTokenIsTheSameEachTimeSoItCanBeShownAgain() throws {
        #expect(Self.token(.worker, 1) == Self.token(.worker, 1))
        #expect(Self.token(.worker, 1).description.hasPrefix("ROOST-1-"))
        #expect(try JoinToken(parsing: Self.token(.worker, 1).description) == Self.token(.worker, 1))
    }

    @Test func rolesGenerationsAndClustersEachGetTheirOwnToken() {
        let tokens = [
            Self.token(.worker, 1), Self.token(.worker, 2), Self.token(.manager, 1), Self.token(.manager, 2),
            Self.token(.worker, 1, seed: [UInt8](repeating: 8, count: 32)),
        ]
        #expect(Set(tokens.map(\.secret)).count == tokens.count)
        #expect(Set(tokens.map(\.joinKey)).count == tokens.count)
    }

    @Test func aRevokedSerialStaysDeniedUntilItsCertificateWouldHaveExpired() {
        var list = CertificateDenyList(capacity: 2)
        list.insert(.init(serial: 1, notAfter: 100), now: 0)
        list.insert(.init(serial: 2, notAfter: 200), now: 0)
        #expect(list.serials == [1, 2])
        // Full, but serial 1 has expired by now: it goes, nothing still valid is lost.
        let evicted = list.insert(.init(serial: 3, notAfter: 300), now: 150)
        #expect(evicted == nil)
        #expect(list.serials == [2, 3])
    }

    @Test func aFullDenyListDropsTheEntryThatExpiresFirstAndSaysSo() {
        var list = CertificateDenyList(capacity: 2)
        list.insert(.init(serial: 1, notAfter: 500), now: 0)
        list.insert(.init(serial: 2, notAfter: 400), now: 0)
        let evicted = list.insert(.init(serial: 3, notAfter: 600), now: 10)
        #expect(evicted == .init(serial: 2, notAfter: 400))
        #expect(list.serials == [1, 3])
        #expect(list.insert(.init(serial: 3, notAfter: 600), now: 10) == nil)
        #expect(list.entries.count == 2)
    }

    static func grant(for key: Ed25519KeyPair) -> (grant: JoinGrant, authority: ClusterAuthority) {
        let authority = ClusterAuthority.create()
        let certificate = authority.issue(serial: 9, nodeID: "n-1", nodeName: "w1", role: .worker, publicKey: key.publicKey, now: 1_000, validity: 100)
        let grant = JoinGrant(
            certificate: certificate, caPublicKey: authority.keyPair.publicKey, clusterID: authority.clusterID,
            gossipKeys: [[UInt8](repeating: 1, count: 32)],
            managers: [ManagerAddresses(name: "m1", rpc: "10.0.0.1:4647", http: "10.0.0.1:4646", gossip: "10.0.0.1:4648")])
        return (grant, authority)
    }

    /// Both ends of a finished join handshake.
    static func sessions() throws -> (joiner: ChannelSession, manager: ChannelSession) {
        let authority = ClusterAuthority.create()
        let managerKey = Ed25519KeyPair.generate()
        let manager = NodeIdentity(
            keyPair: managerKey,
            certificate: authority.issue(serial: 1, nodeID: "1", nodeName: "m1", role: .manager, publicKey: managerKey.publicKey, now: 1_000, validity: 100))
        let token = JoinToken.generate(caPublicKey: authority.keyPair.publicKey)
        let initiator = JoinInitiator(token: token, nodeName: "w1", nodeKey: .generate())
        var responder = JoinResponder(identity: manager, caPublicKey: authority.keyPair.publicKey, joinKeys: [.worker: token.joinKey])
        let hello = try responder.receive(clientHello: initiator.firstMessage)
        let (proof, joiner, _) = try initiator.receive(serverHello: hello, now: 1_010)
        let (_, session) = try responder.receive(proof: proof)
        return (joiner, session)
    }

    @Test func theGrantOpensOnlyForTheJoinerOfThatSessionAndCarriesEverything() throws {
        let (joiner, manager) = try Self.sessions()
        let (grant, _) = Self.grant(for: .generate())
        let sealed = grant.sealed(with: manager)
        #expect(try JoinGrant(opening: sealed, with: joiner) == grant)
        let (otherJoiner, _) = try Self.sessions()
        #expect(throws: HandshakeFailure.self) { try JoinGrant(opening: sealed, with: otherJoiner) }
        // An ask sealed by the joiner is not a grant, even under the same keys.
        #expect(throws: HandshakeFailure.self) { try JoinGrant(opening: JoinAsk(role: .worker).sealed(with: manager), with: joiner) }
    }

    @Test func theAskTellsTheManagerWhichRoleTheJoinerWants() throws {
        let (joiner, manager) = try Self.sessions()
        #expect(try JoinAsk(opening: JoinAsk(role: .manager).sealed(with: joiner), with: manager).role == .manager)
        var tampered = JoinAsk(role: .worker).sealed(with: joiner)
        tampered[tampered.count - 1] ^= 1
        #expect(throws: HandshakeFailure.self) { try JoinAsk(opening: tampered, with: manager) }
    }

    @Test func aRefusalReachesTheJoinerWordForWord() throws {
        let answer = JoinAnswer.refusal("the join token is not valid here")
        #expect(try JoinAnswer(decoding: answer.encoded) == answer)
        #expect(throws: HandshakeFailure.self) { try JoinAnswer(decoding: [9]) }
    }

    @Test func credentialsSurviveTheirFileEncodingAndDamageIsReported() throws {
        let key = Ed25519KeyPair.generate()
        let (grant, _) = Self.grant(for: key)
        let credentials = NodeCredentials(nodeKey: key, grant: grant)
        let decoded = try NodeCredentials(decoding: credentials.encoded)
        #expect(decoded.nodeKey.publicKey == key.publicKey)
        #expect(decoded.grant == grant)
        #expect(throws: NodeCredentialsError.notCredentials) { try NodeCredentials(decoding: Array("hello".utf8)) }
        var newer = credentials.encoded
        newer[4] = 9
        #expect(throws: NodeCredentialsError.unsupportedVersion(9)) { try NodeCredentials(decoding: newer) }
        #expect(throws: NodeCredentialsError.self) { try NodeCredentials(decoding: Array(credentials.encoded.dropLast(3))) }
        // A certificate for another key than the stored one is damage, not a usable identity.
        let mismatched = NodeCredentials(nodeKey: .generate(), grant: grant)
        #expect(throws: NodeCredentialsError.self) { try NodeCredentials(decoding: mismatched.encoded) }
    }
}
