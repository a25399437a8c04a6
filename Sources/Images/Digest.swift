/// A content digest as registries and OCI layouts name blobs: `sha256:<64 lowercase hex>`.
/// Only sha256 is accepted, so every digest Roost trusts is one it can check itself.
public struct Digest: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The 64 hex digits.
    public let hex: String

    public init?(_ text: String) {
        guard text.hasPrefix("sha256:") else { return nil }
        let hex = String(text.dropFirst(7))
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            return nil
        }
        self.hex = hex
    }

    public init(hashing bytes: some Collection<UInt8>) {
        hex = SHA256.hex(SHA256.hash(bytes))
    }

    init(finishing hasher: SHA256) {
        hex = hasher.hexDigest()
    }

    public var description: String { "sha256:" + hex }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let digest = Digest(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "\"\(text.prefix(80))\" is not a sha256 digest")
            )
        }
        self = digest
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
