import Sodium

/// The joiner's side of `roost join`: it checks that the manager belongs to the cluster the
/// token names *before* it sends anything derived from the secret, then proves it holds the
/// secret with a MAC over the transcript (so the secret never travels and a recorded proof is
/// worthless on another connection).
public struct JoinInitiator: Sendable {
    let token: JoinToken
    let nodeName: String
    let nodeKey: Ed25519KeyPair
    let ephemeral: KeyExchangeKeyPair
    let hello: HandshakeMessage.ClientHello

    public init(token: JoinToken, nodeName: String, nodeKey: Ed25519KeyPair, ephemeral: KeyExchangeKeyPair = .generate(), nonce: [UInt8] = SecureRandom.bytes(count: 32)) {
        self.token = token
        self.nodeName = nodeName
        self.nodeKey = nodeKey
        self.ephemeral = ephemeral
        hello = HandshakeMessage.ClientHello(purpose: .join, ephemeralPublicKey: ephemeral.publicKey, nonce: nonce)
    }

    public var firstMessage: [UInt8] { hello.encoded }

    /// The proof to send, the session keys the manager's grant will be sealed with, and the
    /// CA key to trust from now on.
    public func receive(serverHello bytes: [UInt8], now: Int64) throws(HandshakeFailure) -> (reply: [UInt8], session: ChannelSession, caPublicKey: [UInt8]) {
        let server = try HandshakeMessage.ServerHello(decoding: bytes)
        guard JoinToken.digest(ofCAPublicKey: server.caPublicKey) == token.caDigest else { throw .wrongCluster }
        let policy = CertificatePolicy(
            caPublicKey: server.caPublicKey, clusterID: server.certificate.certificate.clusterID, allowedRoles: [.manager])
        if let problem = policy.problem(with: server.certificate, now: now) { throw .peerCertificate(problem) }
        let serverTranscript = Transcript.hash("server", hello.encoded, server.signedPart)
        guard Ed25519KeyPair.verify(server.signature, of: serverTranscript, publicKey: server.certificate.certificate.publicKey) else {
            throw .badSignature
        }
        guard let keys = ephemeral.clientSessionKeys(serverPublicKey: server.ephemeralPublicKey) else { throw .degenerateKey }
        let name = Array(nodeName.utf8)
        let transcript = Transcript.hash("join", hello.encoded, server.encoded, name, nodeKey.publicKey)
        let proof = GenericHash.hash(transcript, key: token.joinKey)
        let finish = HandshakeMessage.ClientFinish(certificateOrName: name, publicKey: nodeKey.publicKey, proof: proof)
        return (finish.encoded, ChannelSession(peer: server.certificate, keys: keys), server.caPublicKey)
    }
}

/// A manager's side of a join: which role's token (if any) the joiner proved, its name and
/// public key, to be certified.
public struct JoinRequest: Sendable, Hashable {
    public var role: NodeRole
    public var nodeName: String
    public var publicKey: [UInt8]

    public init(role: NodeRole, nodeName: String, publicKey: [UInt8]) {
        self.role = role
        self.nodeName = nodeName
        self.publicKey = publicKey
    }
}

public struct JoinResponder: Sendable {
    let identity: NodeIdentity
    let caPublicKey: [UInt8]
    /// The current join keys (`JoinToken.joinKey`) per role; a rotated token is simply gone.
    let joinKeys: [NodeRole: [UInt8]]
    let ephemeral: KeyExchangeKeyPair
    let nonce: [UInt8]
    private var clientHello: HandshakeMessage.ClientHello?
    private var serverHello: HandshakeMessage.ServerHello?

    public init(
        identity: NodeIdentity, caPublicKey: [UInt8], joinKeys: [NodeRole: [UInt8]], ephemeral: KeyExchangeKeyPair = .generate(),
        nonce: [UInt8] = SecureRandom.bytes(count: 32)
    ) {
        self.identity = identity
        self.caPublicKey = caPublicKey
        self.joinKeys = joinKeys
        self.ephemeral = ephemeral
        self.nonce = nonce
    }

    public mutating func receive(clientHello bytes: [UInt8]) throws(HandshakeFailure) -> [UInt8] {
        let hello = try HandshakeMessage.ClientHello(decoding: bytes)
        guard hello.purpose == .join else { throw .unexpectedMessage("a channel hello on the join path") }
        let server = HandshakeMessage.ServerHello.answering(
            hello, identity: identity, ephemeral: ephemeral, nonce: nonce, caPublicKey: caPublicKey)
        clientHello = hello
        serverHello = server
        return server.encoded
    }

    public func receive(proof bytes: [UInt8]) throws(HandshakeFailure) -> (request: JoinRequest, session: ChannelSession) {
        guard let clientHello, let serverHello else { throw .unexpectedMessage("a proof before the hello") }
        let finish = try HandshakeMessage.ClientFinish(decoding: bytes)
        guard finish.publicKey.count == Ed25519KeyPair.publicKeyLength,
              let name = String(validating: finish.certificateOrName, as: UTF8.self), !name.isEmpty, name.utf8.count <= 256
        else { throw .malformed("the joiner's name or key") }
        let transcript = Transcript.hash("join", clientHello.encoded, serverHello.encoded, finish.certificateOrName, finish.publicKey)
        // Managers are checked first only to make the order fixed; a proof matches one key at most.
        for role in [NodeRole.manager, .worker] {
            guard let key = joinKeys[role] else { continue }
            if ConstantTime.equal(GenericHash.hash(transcript, key: key), finish.proof) {
                guard let keys = ephemeral.serverSessionKeys(clientPublicKey: clientHello.ephemeralPublicKey) else { throw .degenerateKey }
                return (JoinRequest(role: role, nodeName: name, publicKey: finish.publicKey), ChannelSession(peer: nil, keys: keys))
            }
        }
        throw .invalidJoinProof
    }

    /// Whether `proof` (a finish message) is a valid MAC under `joinKey` for this connection:
    /// lets the manager tell a rotated-away token (it matches an older generation's key) from a
    /// wrong one, for a precise refusal.
    public func proofMatches(_ proof: [UInt8], joinKey: [UInt8]) -> Bool {
        guard let clientHello, let serverHello, let finish = try? HandshakeMessage.ClientFinish(decoding: proof) else { return false }
        let transcript = Transcript.hash("join", clientHello.encoded, serverHello.encoded, finish.certificateOrName, finish.publicKey)
        return ConstantTime.equal(GenericHash.hash(transcript, key: joinKey), finish.proof)
    }
}

/// Comparison whose time does not depend on where the inputs differ, for MACs.
public enum ConstantTime {
    public static func equal(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
