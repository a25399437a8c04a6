import Sodium
import Wire

/// The messages of both handshakes (see docs/security.md). Each is one length-prefixed frame
/// on the wire; the shell reads at most `maximumSize` bytes for one.
enum HandshakeMessage {
    static let version: UInt8 = 1
    static let maximumSize = 4_096
    static let nonceLength = 32

    enum Purpose: UInt8 {
        /// A node with a certificate opens a channel to another.
        case channel = 1
        /// A node with a join token asks to become a member.
        case join = 2
        /// A manager opens a Raft channel to another manager. Distinct from `channel` so that
        /// the RPC port can tell, from the first bytes alone, a Raft peer from a worker, and
        /// so that a worker's certificate can never open a Raft channel (the purpose is part of
        /// the signed transcript).
        case raft = 3
    }

    struct ClientHello: Equatable {
        var purpose: Purpose
        var ephemeralPublicKey: [UInt8]
        var nonce: [UInt8]

        var encoded: [UInt8] {
            var writer = WireWriter()
            writer.writeByte(1)
            writer.writeByte(HandshakeMessage.version)
            writer.writeByte(purpose.rawValue)
            writer.writeBytes(ephemeralPublicKey)
            writer.writeBytes(nonce)
            return writer.bytes
        }

        init(purpose: Purpose, ephemeralPublicKey: [UInt8], nonce: [UInt8]) {
            self.purpose = purpose
            self.ephemeralPublicKey = ephemeralPublicKey
            self.nonce = nonce
        }

        init(decoding bytes: [UInt8]) throws(HandshakeFailure) {
            self = try HandshakeMessage.decode("client hello", bytes) { reader in
                guard try reader.readByte("message") == 1 else { throw HandshakeFailure.unexpectedMessage("expected the client's hello") }
                let version = try reader.readByte("version")
                guard version == HandshakeMessage.version else { throw HandshakeFailure.unsupportedVersion(version) }
                guard let purpose = Purpose(rawValue: try reader.readByte("purpose")) else { throw HandshakeFailure.malformed("unknown purpose") }
                let key = try reader.readBytes("ephemeral key", limit: 64)
                let nonce = try reader.readBytes("nonce", limit: 64)
                guard nonce.count == HandshakeMessage.nonceLength else { throw HandshakeFailure.malformed("nonce length") }
                return ClientHello(purpose: purpose, ephemeralPublicKey: key, nonce: nonce)
            }
        }
    }

    /// Runs `body` over a reader of `bytes`, turning codec errors into `.malformed(what: …)`
    /// and insisting the message ends where its last field does.
    static func decode<Value>(_ what: String, _ bytes: [UInt8], _ body: (inout WireReader) throws -> Value) throws(HandshakeFailure) -> Value {
        do {
            var reader = WireReader(bytes)
            let value = try body(&reader)
            try reader.expectEnd()
            return value
        } catch let failure as HandshakeFailure {
            throw failure
        } catch {
            throw .malformed("\(what): \(error)")
        }
    }

    struct ServerHello: Equatable {
        var ephemeralPublicKey: [UInt8]
        var nonce: [UInt8]
        var caPublicKey: [UInt8]
        var certificate: SignedCertificate
        var signature: [UInt8]

        /// Everything but the signature: what the signature covers (with the client's hello).
        var signedPart: [UInt8] {
            var writer = WireWriter()
            writer.writeByte(2)
            writer.writeBytes(ephemeralPublicKey)
            writer.writeBytes(nonce)
            writer.writeBytes(caPublicKey)
            writer.writeBytes(certificate.encoded)
            return writer.bytes
        }

        var encoded: [UInt8] {
            var writer = WireWriter()
            writer.writeBytes(signedPart)
            writer.writeBytes(signature)
            return writer.bytes
        }

        init(ephemeralPublicKey: [UInt8], nonce: [UInt8], caPublicKey: [UInt8], certificate: SignedCertificate, signature: [UInt8]) {
            self.ephemeralPublicKey = ephemeralPublicKey
            self.nonce = nonce
            self.caPublicKey = caPublicKey
            self.certificate = certificate
            self.signature = signature
        }

        init(decoding bytes: [UInt8]) throws(HandshakeFailure) {
            let (signed, signature) = try HandshakeMessage.decode("server hello", bytes) { outer in
                (try outer.readBytes("server hello", limit: HandshakeMessage.maximumSize), try outer.readBytes("signature", limit: 128))
            }
            self = try HandshakeMessage.decode("server hello", signed) { reader in
                guard try reader.readByte("message") == 2 else { throw HandshakeFailure.unexpectedMessage("expected the server's hello") }
                return ServerHello(
                    ephemeralPublicKey: try reader.readBytes("ephemeral key", limit: 64), nonce: try reader.readBytes("nonce", limit: 64),
                    caPublicKey: try reader.readBytes("CA key", limit: 64),
                    certificate: try SignedCertificate(decoding: try reader.readBytes("certificate", limit: 2_048)), signature: signature)
            }
        }

        /// A server's answer to `hello`, signed over the transcript so far.
        static func answering(
            _ hello: ClientHello, identity: NodeIdentity, ephemeral: KeyExchangeKeyPair, nonce: [UInt8], caPublicKey: [UInt8]
        ) -> ServerHello {
            var server = ServerHello(
                ephemeralPublicKey: ephemeral.publicKey, nonce: nonce, caPublicKey: caPublicKey, certificate: identity.certificate,
                signature: [])
            server.signature = identity.keyPair.sign(Transcript.hash("server", hello.encoded, server.signedPart))
            return server
        }
    }

    /// The client's certificate and its signature over the whole exchange (channel), or the
    /// joiner's name, new public key and MAC under the join key (join).
    struct ClientFinish: Equatable {
        var certificateOrName: [UInt8]
        var publicKey: [UInt8]
        var proof: [UInt8]

        var encoded: [UInt8] {
            var writer = WireWriter()
            writer.writeByte(3)
            writer.writeBytes(certificateOrName)
            writer.writeBytes(publicKey)
            writer.writeBytes(proof)
            return writer.bytes
        }

        init(certificateOrName: [UInt8], publicKey: [UInt8], proof: [UInt8]) {
            self.certificateOrName = certificateOrName
            self.publicKey = publicKey
            self.proof = proof
        }

        init(decoding bytes: [UInt8]) throws(HandshakeFailure) {
            self = try HandshakeMessage.decode("client finish", bytes) { reader in
                guard try reader.readByte("message") == 3 else { throw HandshakeFailure.unexpectedMessage("expected the client's finish") }
                return ClientFinish(
                    certificateOrName: try reader.readBytes("certificate", limit: 2_048), publicKey: try reader.readBytes("public key", limit: 64),
                    proof: try reader.readBytes("proof", limit: 128))
            }
        }
    }
}

/// Why a handshake stopped. The side that stops logs this line and closes the connection;
/// nothing after a failure is read.
public enum HandshakeFailure: Error, Sendable, Hashable, CustomStringConvertible {
    case malformed(String)
    case unexpectedMessage(String)
    case unsupportedVersion(UInt8)
    /// Join: the manager's CA is not the one the token names. Nothing secret was sent.
    case wrongCluster
    case peerCertificate(CertificateProblem)
    case badSignature
    /// Join: the MAC matches no current join token (wrong, or rotated away).
    case invalidJoinProof
    case degenerateKey

    public var description: String {
        switch self {
        case .malformed(let detail): "malformed handshake message (\(detail))"
        case .unexpectedMessage(let detail): "unexpected handshake message: \(detail)"
        case .unsupportedVersion(let version): "the peer speaks handshake version \(version); this node speaks \(HandshakeMessage.version)"
        case .wrongCluster: "the manager's CA key does not match the join token's digest: wrong address or an impostor; nothing secret was sent"
        case .peerCertificate(let problem): "the peer's certificate was refused: \(problem)"
        case .badSignature: "the peer's handshake signature does not verify (replayed or forged handshake)"
        case .invalidJoinProof: "the join token is not valid here (wrong secret, or a proof replayed from another connection); get a current one with `roost cluster join-token`"
        case .degenerateKey: "the peer's ephemeral key is invalid"
        }
    }
}
