import Platform
import SWIM

/// Why the gossip layer could not start or do what it was asked.
public enum GossipError: Error, Sendable, CustomStringConvertible {
    case invalidSettings(String)
    case socket(SocketError)
    case keyring(GossipKeyringError)
    case stopped

    public var description: String {
        switch self {
        case .invalidSettings(let reason): "invalid gossip settings: \(reason)"
        case .socket(let error): "gossip socket: \(error)"
        case .keyring(let error): "gossip keyring: \(error)"
        case .stopped: "the gossip layer has stopped"
        }
    }
}
