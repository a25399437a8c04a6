import Sodium

/// `ROOST-1-<CA digest>-<secret>`, what `roost join --token` takes. The digest (of the CA's
/// public key) lets the joiner recognise the real cluster before it reveals anything; the
/// secret proves the joiner was invited, without itself ever crossing the network: the
/// joiner MACs the handshake with a key derived from it, and managers keep only that key.
public struct JoinToken: Sendable, Hashable, CustomStringConvertible {
    public static let prefix = "ROOST-1-"
    static let digestLength = 16
    static let secretLength = 32

    public let caDigest: [UInt8]
    public let secret: [UInt8]

    public init(caPublicKey: [UInt8], secret: [UInt8]) {
        self.caDigest = Self.digest(ofCAPublicKey: caPublicKey)
        self.secret = secret
    }

    /// A new token for the cluster whose CA key is `caPublicKey`.
    public static func generate(caPublicKey: [UInt8]) -> JoinToken {
        JoinToken(caPublicKey: caPublicKey, secret: SecureRandom.bytes(count: secretLength))
    }

    public init(parsing text: String) throws(JoinTokenError) {
        let trimmed = text.trimmingWhitespace
        guard trimmed.hasPrefix(Self.prefix) else { throw .notAToken }
        let parts = trimmed.dropFirst(Self.prefix.count).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let digest = Hex.decode(parts[0]), let secret = Hex.decode(parts[1]) else { throw .malformed }
        guard digest.count == Self.digestLength, secret.count == Self.secretLength else { throw .malformed }
        self.caDigest = digest
        self.secret = secret
    }

    public var description: String { Self.prefix + Hex.encode(caDigest) + "-" + Hex.encode(secret) }

    /// What managers store for this token (and what the joiner MACs with): one-way, so the
    /// token cannot be recovered from a manager's disk.
    public var joinKey: [UInt8] { GenericHash.hash(Array("roost join key v1".utf8) + secret) }

    public static func digest(ofCAPublicKey key: [UInt8]) -> [UInt8] {
        GenericHash.hash(Array("roost ca digest v1".utf8) + key, length: digestLength)
    }
}

public enum JoinTokenError: Error, Sendable, Hashable, CustomStringConvertible {
    case notAToken
    case malformed

    public var description: String {
        switch self {
        case .notAToken: "a join token starts with \(JoinToken.prefix); get one with `roost cluster join-token worker` on a manager"
        case .malformed: "the join token is damaged (wrong length or characters); copy it again from `roost cluster join-token`"
        }
    }
}

/// Lowercase hexadecimal, for tokens and digests people copy, and for keys and certificates
/// carried in HTTP headers.
public enum Hex {
    public static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode<Text: StringProtocol>(_ text: Text) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(of: utf8[index]), let low = value(of: utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension String {
    var trimmingWhitespace: Substring {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return text
    }
}
