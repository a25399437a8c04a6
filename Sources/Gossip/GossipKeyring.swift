import Foundation
import Sodium

/// The gossip encryption keys of one agent: packets are sealed with the primary key and
/// opened with whichever installed key sealed them, so keys rotate without downtime
/// (install the new key everywhere, make it primary everywhere, remove the old one).
///
/// An empty keyring means plaintext gossip (the header is still checked, so other clusters
/// and replays are still refused, but nothing is authenticated): only for benchmarks and
/// trusted networks.
public struct GossipKeyring: Sendable, Hashable {
    /// Installed keys, the primary first.
    public private(set) var keys: [[UInt8]]

    public static let keyLength = XChaCha20Poly1305.keyLength
    /// Bounds what rotation can accumulate, and the keys a packet is tried against.
    public static let maximumKeyCount = 16

    /// An empty (plaintext) keyring.
    public init() {
        keys = []
    }

    /// A keyring whose primary key is `primary`, followed by `others`.
    public init(primary: [UInt8], others: [[UInt8]] = []) throws(GossipKeyringError) {
        keys = []
        try install(primary)
        for key in others { try install(key) }
    }

    /// A keyring with one fresh random key (what a dev agent uses when given none).
    public static func generated() -> GossipKeyring {
        var keyring = GossipKeyring()
        keyring.keys = [XChaCha20Poly1305.generateKey()]
        return keyring
    }

    public var isEncrypted: Bool { !keys.isEmpty }
    public var primaryKey: [UInt8]? { keys.first }

    /// Adds a key (decryption only until `use`). The first key installed becomes primary.
    public mutating func install(_ key: [UInt8]) throws(GossipKeyringError) {
        guard key.count == Self.keyLength else { throw .invalidLength(key.count) }
        guard !keys.contains(key) else { return }
        guard keys.count < Self.maximumKeyCount else { throw .tooManyKeys }
        keys.append(key)
    }

    /// Makes an installed key the one that seals outgoing packets.
    public mutating func use(_ key: [UInt8]) throws(GossipKeyringError) {
        guard let index = keys.firstIndex(of: key) else { throw .notInstalled }
        keys.swapAt(0, index)
    }

    /// Removes a key that is not primary (removing the primary would stop all gossip).
    public mutating func remove(_ key: [UInt8]) throws(GossipKeyringError) {
        guard let index = keys.firstIndex(of: key) else { throw .notInstalled }
        guard index != 0 else { throw .removingPrimary }
        keys.remove(at: index)
    }

    /// A short public fingerprint of a key, carried in every packet header so that the
    /// receiver tries the right key first; it reveals nothing about the key.
    public static func keyID(of key: [UInt8]) -> UInt32 {
        let digest = GenericHash.hash(key, length: 16)
        return digest.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    /// The keys to try on a packet whose header names `keyID`: the named key first.
    func candidates(for keyID: UInt32) -> [[UInt8]] {
        guard let index = keys.firstIndex(where: { Self.keyID(of: $0) == keyID }) else { return keys }
        var ordered = keys
        ordered.swapAt(0, index)
        return ordered
    }

    // MARK: Text form (operators and configuration use base64, like Serf and Nomad)

    public static func decodeKey(_ text: String) throws(GossipKeyringError) -> [UInt8] {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw .notBase64
        }
        guard data.count == keyLength else { throw .invalidLength(data.count) }
        return [UInt8](data)
    }

    public static func encodeKey(_ key: [UInt8]) -> String { Data(key).base64EncodedString() }

    /// The installed keys in base64, the primary first.
    public var encodedKeys: [String] { keys.map(Self.encodeKey) }
}
