@testable import ClusterSecurity
import Sodium
import Testing

/// The channel and join handshakes of issue 6, run in memory between two sides: what is
/// accepted, and each refusal the issue lists, with the reason the refusing side reports.
@Suite struct HandshakeTests {
    static let now: Int64 = 1_800_000_000
    static let day: Int64 = 86_400

    struct Cluster {
        let authority = ClusterAuthority.create()
        var serial: UInt64 = 0

        mutating func identity(_ name: String, role: NodeRole, now: Int64 = HandshakeTests.now, validity: Int64 = HandshakeTests.day) -> NodeIdentity {
            serial += 1
            let key = Ed25519KeyPair.generate()
            let certificate = authority.issue(
                serial: serial, nodeID: "id-\(name)", nodeName: name, role: role, publicKey: key.publicKey, now: now, validity: validity)
            return NodeIdentity(keyPair: key, certificate: certificate)
        }
    }

    /// Runs a whole channel handshake; returns both sessions or the first failure.
    static func connect(
        _ client: NodeIdentity, clientPolicy: CertificatePolicy, to server: NodeIdentity, serverPolicy: CertificatePolicy, now: Int64 = now
    ) throws(HandshakeFailure) -> (client: ChannelSession, server: ChannelSession) {
        let initiator = ChannelInitiator(identity: client, policy: clientPolicy)
        var responder = ChannelResponder(identity: server, policy: serverPolicy)
        let serverHello = try responder.receive(clientHello: initiator.firstMessage)
        let (finish, clientSession) = try initiator.receive(serverHello: serverHello, now: now)
        let serverSession = try responder.receive(clientFinish: finish, now: now)
        return (clientSession, serverSession)
    }

    @Test func twoMembersAgreeOnKeysAndLearnWhoTheOtherIs() throws {
        var cluster = Cluster()
        let worker = cluster.identity("w1", role: .worker)
        let manager = cluster.identity("m1", role: .manager)
        let (client, server) = try Self.connect(worker, clientPolicy: cluster.authority.policy(), to: manager, serverPolicy: cluster.authority.policy())
        #expect(client.keys.transmit == server.keys.receive)
        #expect(client.keys.receive == server.keys.transmit)
        #expect(client.peer?.certificate.nodeName == "m1")
        #expect(server.peer?.certificate.nodeName == "w1")
        #expect(server.peer?.certificate.role == .worker)
    }

    @Test func aCertificateFromAnotherClusterIsRefused() {
        var ours = Cluster()
        var theirs = Cluster()
        let stranger = theirs.identity("x", role: .manager)
        let manager = ours.identity("m1", role: .manager)
        #expect(throws: HandshakeFailure.peerCertificate(.notSignedByThisCluster)) {
            try Self.connect(stranger, clientPolicy: theirs.authority.policy(), to: manager, serverPolicy: ours.authority.policy())
        }
    }

    @Test func anExpiredCertificateIsRefusedWithItsExpiry() {
        var cluster = Cluster()
        let old = cluster.identity("w1", role: .worker, now: Self.now - 2 * Self.day, validity: Self.day)
        let manager = cluster.identity("m1", role: .manager)
        #expect(throws: HandshakeFailure.peerCertificate(.expired(notAfter: Self.now - Self.day, now: Self.now))) {
            try Self.connect(old, clientPolicy: cluster.authority.policy(), to: manager, serverPolicy: cluster.authority.policy())
        }
    }

    @Test func aRevokedNodeCannotReconnect() {
        var cluster = Cluster()
        let removed = cluster.identity("w1", role: .worker)
        let manager = cluster.identity("m1", role: .manager)
        let policy = cluster.authority.policy(revokedSerials: [removed.certificate.certificate.serial])
        #expect(throws: HandshakeFailure.peerCertificate(.revoked(serial: removed.certificate.certificate.serial, nodeName: "w1"))) {
            try Self.connect(removed, clientPolicy: cluster.authority.policy(), to: manager, serverPolicy: policy)
        }
    }

    @Test func aWorkerMayNotOpenAManagersOnlyChannel() {
        var cluster = Cluster()
        let worker = cluster.identity("w1", role: .worker)
        let manager = cluster.identity("m1", role: .manager)
        #expect(throws: HandshakeFailure.peerCertificate(.roleNotAllowed(.worker))) {
            try Self.connect(worker, clientPolicy: cluster.authority.policy(), to: manager, serverPolicy: cluster.authority.policy(allowedRoles: [.manager]))
        }
    }

    /// Someone who recorded a whole handshake replays the client's messages to the server: the
    /// server's fresh ephemeral key and nonce change the transcript, so the recorded signature
    /// does not verify.
    /// The purpose travels in the hello and is part of what both sides sign: a worker RPC hello
    /// cannot open a Raft channel, nor a Raft hello a worker RPC one.
    @Test func aChannelOpenedForOnePurposeIsRefusedWhereTheOtherIsExpected() throws {
        var cluster = Cluster()
        let manager = cluster.identity("m1", role: .manager)
        let peer = cluster.identity("m2", role: .manager)
        let policy = cluster.authority.policy()
        for (sent, expected) in [(ChannelPurpose.rpc, ChannelPurpose.raft), (.raft, .rpc)] {
            let initiator = ChannelInitiator(identity: peer, policy: policy, purpose: sent)
            var responder = ChannelResponder(identity: manager, policy: policy, purpose: expected)
            #expect(initiator.firstMessage[2] == sent.helloByte)
            #expect(throws: HandshakeFailure.self) { _ = try responder.receive(clientHello: initiator.firstMessage) }
        }
        let initiator = ChannelInitiator(identity: peer, policy: policy, purpose: .raft)
        var responder = ChannelResponder(identity: manager, policy: policy, purpose: .raft)
        let serverHello = try responder.receive(clientHello: initiator.firstMessage)
        let (finish, _) = try initiator.receive(serverHello: serverHello, now: Self.now)
        #expect(try responder.receive(clientFinish: finish, now: Self.now).peer?.certificate.nodeName == "m2")
    }

    @Test func aReplayedHandshakeIsRefused() throws {
        var cluster = Cluster()
        let worker = cluster.identity("w1", role: .worker)
        let manager = cluster.identity("m1", role: .manager)
        let policy = cluster.authority.policy()
        let initiator = ChannelInitiator(identity: worker, policy: policy)
        var first = ChannelResponder(identity: manager, policy: policy)
        let (recordedFinish, _) = try initiator.receive(serverHello: try first.receive(clientHello: initiator.firstMessage), now: Self.now)
        _ = try first.receive(clientFinish: recordedFinish, now: Self.now)

        var second = ChannelResponder(identity: manager, policy: policy)
        _ = try second.receive(clientHello: initiator.firstMessage)
        #expect(throws: HandshakeFailure.badSignature) { try second.receive(clientFinish: recordedFinish, now: Self.now) }
    }

    @Test func aServerWhoseKeyIsNotItsCertificatesIsRefused() throws {
        var cluster = Cluster()
        let worker = cluster.identity("w1", role: .worker)
        var impostor = cluster.identity("m1", role: .manager)
        impostor.keyPair = .generate()  // a copied certificate without its key
        let initiator = ChannelInitiator(identity: worker, policy: cluster.authority.policy())
        var responder = ChannelResponder(identity: impostor, policy: cluster.authority.policy())
        let hello = try responder.receive(clientHello: initiator.firstMessage)
        #expect(throws: HandshakeFailure.badSignature) { try initiator.receive(serverHello: hello, now: Self.now) }
    }

    @Test func garbageAtAnyStepIsAMalformedMessageNotACrash() {
        var cluster = Cluster()
        let manager = cluster.identity("m1", role: .manager)
        var responder = ChannelResponder(identity: manager, policy: cluster.authority.policy())
        var random = SystemRandomNumberGenerator()
        for length in [0, 1, 5, 40, 200, 5_000] {
            let garbage = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(throws: HandshakeFailure.self) { try responder.receive(clientHello: garbage) }
            #expect(throws: HandshakeFailure.self) { try responder.receive(clientFinish: garbage, now: Self.now) }
        }
    }

    // MARK: Join

    static func join(
        token: JoinToken, through manager: NodeIdentity, authority: ClusterAuthority, joinKeys: [NodeRole: [UInt8]]
    ) throws(HandshakeFailure) -> (JoinRequest, ChannelSession, ChannelSession) {
        let initiator = JoinInitiator(token: token, nodeName: "w9", nodeKey: .generate())
        var responder = JoinResponder(identity: manager, caPublicKey: authority.keyPair.publicKey, joinKeys: joinKeys)
        let serverHello = try responder.receive(clientHello: initiator.firstMessage)
        let (proof, joinerSession, _) = try initiator.receive(serverHello: serverHello, now: now)
        let (request, managerSession) = try responder.receive(proof: proof)
        return (request, joinerSession, managerSession)
    }

    @Test func aWorkerTokenJoinsAsAWorkerAndAManagerTokenAsAManager() throws {
        var cluster = Cluster()
        let manager = cluster.identity("m1", role: .manager)
        let workerToken = JoinToken.generate(caPublicKey: cluster.authority.keyPair.publicKey)
        let managerToken = JoinToken.generate(caPublicKey: cluster.authority.keyPair.publicKey)
        let keys: [NodeRole: [UInt8]] = [.worker: workerToken.joinKey, .manager: managerToken.joinKey]
        let (asWorker, joiner, ours) = try Self.join(token: workerToken, through: manager, authority: cluster.authority, joinKeys: keys)
        #expect(asWorker.role == .worker)
        #expect(asWorker.nodeName == "w9")
        #expect(joiner.keys.transmit == ours.keys.receive)
        let (asManager, _, _) = try Self.join(token: managerToken, through: manager, authority: cluster.authority, joinKeys: keys)
        #expect(asManager.role == .manager)
    }

    @Test func aTokenForAnotherClusterStopsBeforeTheProofIsSent() throws {
        var cluster = Cluster()
        let manager = cluster.identity("m1", role: .manager)
        let foreign = JoinToken.generate(caPublicKey: Ed25519KeyPair.generate().publicKey)
        let initiator = JoinInitiator(token: foreign, nodeName: "w9", nodeKey: .generate())
        var responder = JoinResponder(identity: manager, caPublicKey: cluster.authority.keyPair.publicKey, joinKeys: [:])
        let hello = try responder.receive(clientHello: initiator.firstMessage)
        #expect(throws: HandshakeFailure.wrongCluster) { try initiator.receive(serverHello: hello, now: Self.now) }
    }

    @Test func aWrongOrRotatedSecretIsRefused() throws {
        var cluster = Cluster()
        let manager = cluster.identity("m1", role: .manager)
        let rotatedAway = JoinToken.generate(caPublicKey: cluster.authority.keyPair.publicKey)
        let current = JoinToken.generate(caPublicKey: cluster.authority.keyPair.publicKey)
        #expect(throws: HandshakeFailure.invalidJoinProof) {
            try Self.join(token: rotatedAway, through: manager, authority: cluster.authority, joinKeys: [.worker: current.joinKey])
        }
    }

    /// A worker token cannot make its holder a manager, whatever it asks: the role comes from
    /// the key that verified, and a worker token verifies only under the worker key.
    @Test func aWorkerTokenNeverVerifiesAsAManager() throws {
        var cluster = Cluster()
        let manager = cluster.identity("m1", role: .manager)
        let workerToken = JoinToken.generate(caPublicKey: cluster.authority.keyPair.publicKey)
        let managerToken = JoinToken.generate(caPublicKey: cluster.authority.keyPair.publicKey)
        #expect(throws: HandshakeFailure.invalidJoinProof) {
            try Self.join(token: workerToken, through: manager, authority: cluster.authority, joinKeys: [.manager: managerToken.joinKey])
        }
    }

    @Test func aTokenReadsBackAndMistypedTokensSayWhatIsWrong() throws {
        let token = JoinToken.generate(caPublicKey: Ed25519KeyPair.generate().publicKey)
        #expect(try JoinToken(parsing: " \(token)\n") == token)
        #expect(throws: JoinTokenError.notAToken) { try JoinToken(parsing: "SWMTKN-1-abc") }
        #expect(throws: JoinTokenError.malformed) { try JoinToken(parsing: String(token.description.dropLast())) }
        #expect(throws: JoinTokenError.malformed) { try JoinToken(parsing: String(token.description.dropLast()) + "z") }
    }
}
