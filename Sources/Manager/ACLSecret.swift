import Sodium

/// The secrets of ACL tokens: drawn from libsodium's CSPRNG, and hashed (BLAKE2b-256) before
/// anything reaches the replicated state, which therefore never holds a usable secret.
public enum ACLSecret {
    /// Recognisable in a leaked file or a secret scanner, and header-safe: `roost_` then 256
    /// random bits as lowercase hex.
    public static let prefix = "roost_"

    public static func generate() -> String {
        prefix + hex(SecureRandom.bytes(count: 32))
    }

    /// What the state stores and compares: lowercase hex of BLAKE2b-256 of the secret's UTF-8.
    public static func hash(_ secret: String) -> String {
        hex(GenericHash.hash(Array(secret.utf8), length: 32))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
