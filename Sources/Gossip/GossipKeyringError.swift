/// Why a keyring change or a configured key was refused.
public enum GossipKeyringError: Error, Sendable, Hashable, CustomStringConvertible {
    case notBase64
    case invalidLength(Int)
    case notInstalled
    case removingPrimary
    case tooManyKeys

    public var description: String {
        switch self {
        case .notBase64: "the key is not valid base64"
        case .invalidLength(let count):
            "a gossip key must be \(GossipKeyring.keyLength) bytes (base64 of 32 random bytes), got \(count)"
        case .notInstalled: "the key is not installed"
        case .removingPrimary: "the primary key cannot be removed; make another key primary first"
        case .tooManyKeys: "the keyring already holds \(GossipKeyring.maximumKeyCount) keys; remove one first"
        }
    }
}
