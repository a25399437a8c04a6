import CSodium

/// Ed25519 signatures: the cluster CA signs node certificates with it, and every node signs
/// its channel handshake transcripts, so a peer proves who it is without any secret crossing
/// the wire.
public struct Ed25519KeyPair: Sendable {
    public static let seedLength = Int(crypto_sign_SEEDBYTES)
    public static let publicKeyLength = Int(crypto_sign_PUBLICKEYBYTES)
    public static let signatureLength = Int(crypto_sign_BYTES)

    public let publicKey: [UInt8]
    /// libsodium's 64-byte secret key (seed followed by the public key). Never logged.
    private let secretKey: [UInt8]

    /// A new random key pair.
    public static func generate() -> Ed25519KeyPair {
        Ed25519KeyPair(seed: SecureRandom.bytes(count: seedLength))!
    }

    /// The key pair a 32-byte seed determines (how a stored key is reloaded); nil for a seed of
    /// the wrong length.
    public init?(seed: [UInt8]) {
        guard seed.count == Self.seedLength else { return nil }
        SodiumLibrary.ensureReady()
        var publicKey = [UInt8](repeating: 0, count: Self.publicKeyLength)
        var secretKey = [UInt8](repeating: 0, count: Int(crypto_sign_SECRETKEYBYTES))
        let result = crypto_sign_seed_keypair(&publicKey, &secretKey, seed)
        guard result == 0 else { return nil }
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// The seed, for storing the key (encrypted) and reloading it with `init(seed:)`.
    public var seed: [UInt8] { Array(secretKey.prefix(Self.seedLength)) }

    public func sign(_ message: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: Self.signatureLength)
        let result = crypto_sign_detached(&signature, nil, message, UInt64(message.count), secretKey)
        precondition(result == 0, "crypto_sign_detached failed with a valid key")
        return signature
    }

    /// Whether `signature` is `publicKey`'s signature of `message`. Any malformed input is
    /// simply not a valid signature.
    public static func verify(_ signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == signatureLength, publicKey.count == publicKeyLength else { return false }
        SodiumLibrary.ensureReady()
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), publicKey) == 0
    }
}
