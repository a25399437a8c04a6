import CSodium

/// X25519 key exchange (`crypto_kx`): each channel starts with fresh key pairs on both sides,
/// so a stolen long-term key does not decrypt recorded traffic (forward secrecy).
public struct KeyExchangeKeyPair: Sendable {
    public static let publicKeyLength = Int(crypto_kx_PUBLICKEYBYTES)
    public static let sessionKeyLength = Int(crypto_kx_SESSIONKEYBYTES)

    public let publicKey: [UInt8]
    private let secretKey: [UInt8]

    /// The keys one side uses: `receive` decrypts what the peer sent, `transmit` encrypts what
    /// this side sends. The client's `transmit` is the server's `receive` and vice versa.
    public struct SessionKeys: Sendable, Hashable {
        public let receive: [UInt8]
        public let transmit: [UInt8]
    }

    public static func generate() -> KeyExchangeKeyPair {
        SodiumLibrary.ensureReady()
        var publicKey = [UInt8](repeating: 0, count: publicKeyLength)
        var secretKey = [UInt8](repeating: 0, count: Int(crypto_kx_SECRETKEYBYTES))
        precondition(crypto_kx_keypair(&publicKey, &secretKey) == 0, "crypto_kx_keypair failed")
        return KeyExchangeKeyPair(publicKey: publicKey, secretKey: secretKey)
    }

    /// The key pair a 32-byte seed determines: for reproducible test vectors only; channels use
    /// `generate()`.
    public init?(seed: [UInt8]) {
        guard seed.count == Int(crypto_kx_SEEDBYTES) else { return nil }
        SodiumLibrary.ensureReady()
        var publicKey = [UInt8](repeating: 0, count: Self.publicKeyLength)
        var secretKey = [UInt8](repeating: 0, count: Int(crypto_kx_SECRETKEYBYTES))
        guard crypto_kx_seed_keypair(&publicKey, &secretKey, seed) == 0 else { return nil }
        self.init(publicKey: publicKey, secretKey: secretKey)
    }

    private init(publicKey: [UInt8], secretKey: [UInt8]) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// Session keys of the side that opened the connection; nil when the server's public key
    /// is malformed or degenerate.
    public func clientSessionKeys(serverPublicKey: [UInt8]) -> SessionKeys? {
        guard serverPublicKey.count == Self.publicKeyLength else { return nil }
        var receive = [UInt8](repeating: 0, count: Self.sessionKeyLength)
        var transmit = [UInt8](repeating: 0, count: Self.sessionKeyLength)
        guard crypto_kx_client_session_keys(&receive, &transmit, publicKey, secretKey, serverPublicKey) == 0 else { return nil }
        return SessionKeys(receive: receive, transmit: transmit)
    }

    /// Session keys of the side that accepted the connection.
    public func serverSessionKeys(clientPublicKey: [UInt8]) -> SessionKeys? {
        guard clientPublicKey.count == Self.publicKeyLength else { return nil }
        var receive = [UInt8](repeating: 0, count: Self.sessionKeyLength)
        var transmit = [UInt8](repeating: 0, count: Self.sessionKeyLength)
        guard crypto_kx_server_session_keys(&receive, &transmit, publicKey, secretKey, clientPublicKey) == 0 else { return nil }
        return SessionKeys(receive: receive, transmit: transmit)
    }
}
