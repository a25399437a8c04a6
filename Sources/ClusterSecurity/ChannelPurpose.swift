/// What an authenticated channel is for: the RPC port serves both kinds, and tells them apart
/// by the purpose byte of the client's hello before any handshake runs.
public enum ChannelPurpose: Sendable, Hashable {
    /// A worker's (or any node's) RPC channel to a manager.
    case rpc
    /// Raft between two managers.
    case raft

    var wire: HandshakeMessage.Purpose {
        switch self {
        case .rpc: .channel
        case .raft: .raft
        }
    }

    /// The byte a `ClientHello` for this purpose carries third (`01 ‖ version ‖ purpose`).
    public var helloByte: UInt8 { wire.rawValue }
}
