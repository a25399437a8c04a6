import CSodium

/// Authenticated encryption with associated data: `crypto_aead_xchacha20poly1305_ietf`.
///
/// Chosen for gossip because its 24-byte nonce may be drawn at random for every packet without
/// a realistic chance of reuse, so several processes (and restarts of one) can share a key
/// without coordinating counters; the associated data binds a cleartext header to the sealed
/// body, so the header can be read before decryption but not altered.
public enum XChaCha20Poly1305 {
    public static let keyLength = Int(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
    public static let nonceLength = Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
    /// Bytes the authentication tag adds to every sealed message.
    public static let tagLength = Int(crypto_aead_xchacha20poly1305_ietf_ABYTES)

    /// A fresh random key.
    public static func generateKey() -> [UInt8] { SecureRandom.bytes(count: keyLength) }

    /// A fresh random nonce.
    public static func generateNonce() -> [UInt8] { SecureRandom.bytes(count: nonceLength) }

    /// Encrypts `plaintext` and appends the tag. Returns nil when the key or nonce has the
    /// wrong length, so that a bad key from configuration is an error, not a trap.
    public static func seal(_ plaintext: [UInt8], associatedData: [UInt8], nonce: [UInt8], key: [UInt8]) -> [UInt8]? {
        SodiumLibrary.ensureReady()
        guard key.count == keyLength, nonce.count == nonceLength else { return nil }
        var sealed = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        var sealedLength: UInt64 = 0
        let result = sealed.withUnsafeMutableBufferPointer { out in
            plaintext.withUnsafeBufferPointer { message in
                associatedData.withUnsafeBufferPointer { data in
                    nonce.withUnsafeBufferPointer { nonceBytes in
                        key.withUnsafeBufferPointer { keyBytes in
                            crypto_aead_xchacha20poly1305_ietf_encrypt(
                                out.baseAddress!, &sealedLength, message.baseAddress, UInt64(message.count),
                                data.baseAddress, UInt64(data.count), nil, nonceBytes.baseAddress!, keyBytes.baseAddress!)
                        }
                    }
                }
            }
        }
        guard result == 0 else { return nil }
        return Array(sealed.prefix(Int(sealedLength)))
    }

    /// Decrypts and verifies `sealed` (ciphertext followed by the tag). Nil when the tag does
    /// not match: a wrong key, a tampered body or header, or a truncated message.
    public static func open(_ sealed: [UInt8], associatedData: [UInt8], nonce: [UInt8], key: [UInt8]) -> [UInt8]? {
        SodiumLibrary.ensureReady()
        guard key.count == keyLength, nonce.count == nonceLength, sealed.count >= tagLength else { return nil }
        var plaintext = [UInt8](repeating: 0, count: sealed.count - tagLength)
        var plaintextLength: UInt64 = 0
        let result = plaintext.withUnsafeMutableBufferPointer { out in
            sealed.withUnsafeBufferPointer { input in
                associatedData.withUnsafeBufferPointer { data in
                    nonce.withUnsafeBufferPointer { nonceBytes in
                        key.withUnsafeBufferPointer { keyBytes in
                            // A zero-length plaintext still needs a valid output pointer.
                            crypto_aead_xchacha20poly1305_ietf_decrypt(
                                out.baseAddress ?? UnsafeMutablePointer(mutating: nonceBytes.baseAddress!), &plaintextLength, nil,
                                input.baseAddress!, UInt64(input.count),
                                data.baseAddress, UInt64(data.count), nonceBytes.baseAddress!, keyBytes.baseAddress!)
                        }
                    }
                }
            }
        }
        guard result == 0 else { return nil }
        return Array(plaintext.prefix(Int(plaintextLength)))
    }
}
