/// Why a frame could not be sent or received on a peer connection (a Raft peer or a worker's
/// RPC channel).
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The peer announced a frame larger than the cap; the connection is closed without
    /// reading (or allocating) the payload.
    case oversizeFrame(length: UInt64, limit: Int)
    /// The connection ended in the middle of a frame or of the handshake.
    case truncated
    /// The handshake failed: wrong protocol, wrong node, or a rejected identity.
    case handshake(String)
    /// A deadline passed.
    case timedOut(String)
    /// The socket failed.
    case socket(SocketError)

    public var description: String {
        switch self {
        case .oversizeFrame(let length, let limit): return "frame of \(length) bytes is over the limit of \(limit)"
        case .truncated: return "connection closed in the middle of a frame"
        case .handshake(let reason): return "handshake failed: \(reason)"
        case .timedOut(let operation): return "\(operation) timed out"
        case .socket(let error): return error.description
        }
    }
}
