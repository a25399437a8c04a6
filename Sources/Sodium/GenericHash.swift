import CSodium

/// BLAKE2b through libsodium: the digest used for join-token CA fingerprints and for
/// storing API token secrets as hashes.
public enum GenericHash {
    public static let defaultLength = Int(crypto_generichash_BYTES)

    /// The digest of `message`, optionally keyed. `length` must be 16...64 and the key, when
    /// given, 16...64 bytes; anything else is a programmer error.
    public static func hash(_ message: [UInt8], key: [UInt8] = [], length: Int = defaultLength) -> [UInt8] {
        SodiumLibrary.ensureReady()
        precondition(
            (Int(crypto_generichash_BYTES_MIN)...Int(crypto_generichash_BYTES_MAX)).contains(length),
            "generic hash length \(length) is outside libsodium's bounds")
        precondition(
            key.isEmpty || (Int(crypto_generichash_KEYBYTES_MIN)...Int(crypto_generichash_KEYBYTES_MAX)).contains(key.count),
            "generic hash key of \(key.count) bytes is outside libsodium's bounds")
        var digest = [UInt8](repeating: 0, count: length)
        let result = digest.withUnsafeMutableBufferPointer { out in
            message.withUnsafeBufferPointer { input in
                key.withUnsafeBufferPointer { keyBytes in
                    crypto_generichash(
                        out.baseAddress!, length, input.baseAddress, UInt64(input.count),
                        keyBytes.isEmpty ? nil : keyBytes.baseAddress, keyBytes.count)
                }
            }
        }
        precondition(result == 0, "crypto_generichash failed with valid arguments")
        return digest
    }
}
