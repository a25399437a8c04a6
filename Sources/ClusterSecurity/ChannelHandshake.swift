import Sodium

/// A node's long-term identity: its signing key and the CA's certificate for it.
public struct NodeIdentity: Sendable {
    public var keyPair: Ed25519KeyPair
    public var certificate: SignedCertificate

    public init(keyPair: Ed25519KeyPair, certificate: SignedCertificate) {
        self.keyPair = keyPair
        self.certificate = certificate
    }
}

/// What a finished handshake yields: who the peer is (its checked certificate) and the keys
/// for the two secretstreams that carry everything afterwards.
public struct ChannelSession: Sendable {
    public var peer: SignedCertificate?
    public var keys: KeyExchangeKeyPair.SessionKeys
}

/// The transcript hash both sides sign or MAC: every byte exchanged so far under a label, so
/// a signature from one connection is worthless on another (fresh ephemeral keys and nonces).
enum Transcript {
    static func hash(_ label: String, _ parts: [UInt8]...) -> [UInt8] {
        var bytes = Array("roost handshake v1 \(label)".utf8)
        for part in parts {
            var length = UInt32(part.count).bigEndian
            withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
            bytes += part
        }
        return GenericHash.hash(bytes)
    }
}

/// The side that opens a channel (a worker to a manager, a manager to another manager).
/// Ephemeral keys and nonces are given, so tests and docs/security.md's vectors are exact.
public struct ChannelInitiator: Sendable {
    let identity: NodeIdentity
    let policy: CertificatePolicy
    let ephemeral: KeyExchangeKeyPair
    let hello: HandshakeMessage.ClientHello

    public init(
        identity: NodeIdentity, policy: CertificatePolicy, purpose: ChannelPurpose = .rpc, ephemeral: KeyExchangeKeyPair = .generate(),
        nonce: [UInt8] = SecureRandom.bytes(count: 32)
    ) {
        self.identity = identity
        self.policy = policy
        self.ephemeral = ephemeral
        hello = HandshakeMessage.ClientHello(purpose: purpose.wire, ephemeralPublicKey: ephemeral.publicKey, nonce: nonce)
    }

    public var firstMessage: [UInt8] { hello.encoded }

    /// Checks the server (certificate, then its signature of the transcript) and answers with
    /// this node's certificate and signature.
    public func receive(serverHello bytes: [UInt8], now: Int64) throws(HandshakeFailure) -> (reply: [UInt8], session: ChannelSession) {
        let server = try HandshakeMessage.ServerHello(decoding: bytes)
        if let problem = policy.problem(with: server.certificate, now: now) { throw .peerCertificate(problem) }
        let serverTranscript = Transcript.hash("server", hello.encoded, server.signedPart)
        guard Ed25519KeyPair.verify(server.signature, of: serverTranscript, publicKey: server.certificate.certificate.publicKey) else {
            throw .badSignature
        }
        guard let keys = ephemeral.clientSessionKeys(serverPublicKey: server.ephemeralPublicKey) else { throw .degenerateKey }
        let certificate = identity.certificate.encoded
        let clientTranscript = Transcript.hash("client", hello.encoded, server.encoded, certificate)
        let finish = HandshakeMessage.ClientFinish(
            certificateOrName: certificate, publicKey: [], proof: identity.keyPair.sign(clientTranscript))
        return (finish.encoded, ChannelSession(peer: server.certificate, keys: keys))
    }
}

/// The side that accepts a channel.
public struct ChannelResponder: Sendable {
    let identity: NodeIdentity
    let policy: CertificatePolicy
    let ephemeral: KeyExchangeKeyPair
    let nonce: [UInt8]
    let purpose: ChannelPurpose
    private var clientHello: HandshakeMessage.ClientHello?
    private var serverHello: HandshakeMessage.ServerHello?

    public init(
        identity: NodeIdentity, policy: CertificatePolicy, purpose: ChannelPurpose = .rpc, ephemeral: KeyExchangeKeyPair = .generate(),
        nonce: [UInt8] = SecureRandom.bytes(count: 32)
    ) {
        self.identity = identity
        self.policy = policy
        self.purpose = purpose
        self.ephemeral = ephemeral
        self.nonce = nonce
    }

    public mutating func receive(clientHello bytes: [UInt8]) throws(HandshakeFailure) -> [UInt8] {
        let hello = try HandshakeMessage.ClientHello(decoding: bytes)
        guard hello.purpose != .join else { throw .unexpectedMessage("a join hello on a channel port") }
        guard hello.purpose == purpose.wire else {
            throw .unexpectedMessage("a \(hello.purpose == .raft ? "Raft" : "worker RPC") channel hello where a \(purpose == .raft ? "Raft" : "worker RPC") channel was expected")
        }
        let server = HandshakeMessage.ServerHello.answering(
            hello, identity: identity, ephemeral: ephemeral, nonce: nonce, caPublicKey: policy.caPublicKey)
        clientHello = hello
        serverHello = server
        return server.encoded
    }

    /// Checks the client's certificate (CA, cluster, expiry, revocation, role) and its
    /// signature of the whole exchange.
    public func receive(clientFinish bytes: [UInt8], now: Int64) throws(HandshakeFailure) -> ChannelSession {
        guard let clientHello, let serverHello else { throw .unexpectedMessage("a finish before the hello") }
        let finish = try HandshakeMessage.ClientFinish(decoding: bytes)
        let certificate: SignedCertificate
        do {
            certificate = try SignedCertificate(decoding: finish.certificateOrName)
        } catch {
            throw .malformed("client certificate: \(error)")
        }
        if let problem = policy.problem(with: certificate, now: now) { throw .peerCertificate(problem) }
        let transcript = Transcript.hash("client", clientHello.encoded, serverHello.encoded, finish.certificateOrName)
        guard Ed25519KeyPair.verify(finish.proof, of: transcript, publicKey: certificate.certificate.publicKey) else { throw .badSignature }
        guard let keys = ephemeral.serverSessionKeys(clientPublicKey: clientHello.ephemeralPublicKey) else { throw .degenerateKey }
        return ChannelSession(peer: certificate, keys: keys)
    }
}
