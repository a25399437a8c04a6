import Platform
import Raft

/// One established connection to another manager, after its handshake: frames go out and
/// come in whole, and the peer's identity is known.
///
/// Why a protocol: the transport and its users only ever see frames and node IDs. The plain
/// channel (`PlainPeerChannel`) trusts the node ID the peer announces; the encrypted,
/// authenticated channel of the cluster-security work (key exchange, certificates,
/// secretstream per direction) implements the same protocol and slots in by passing its
/// factory to `FrameTransport`, with no change to anything above it.
///
/// Threading: one thread sends or one thread receives on a given channel; `shutdown()` may be
/// called from any thread to wake it.
public protocol PeerChannel: AnyObject, Sendable {
    /// Who is at the other end.
    var peer: RaftNodeID { get }
    /// Sends one frame (its payload; framing is the channel's business).
    func send(_ payload: [UInt8], deadline: ContinuousClock.Instant?) throws(TransportError)
    /// Sends several frames in order; a channel can write them with one system call.
    func send(batch payloads: [[UInt8]], deadline: ContinuousClock.Instant?) throws(TransportError)
    /// Waits for the next whole frame; nil when the peer closed the connection between frames.
    func receive() throws(TransportError) -> [UInt8]?
    /// True when the peer has closed its side (checked before reusing an idle connection).
    var peerHasClosed: Bool { get }
    /// True when a small frame (up to 16 KiB) can be sent now without blocking. The outbox
    /// then writes it from the caller's thread instead of waking its own; a channel that
    /// cannot tell answers false, and every frame goes through the outbox's thread.
    var canSendWithoutBlocking: Bool { get }
    /// Wakes a blocked `receive` or `send`; safe from any thread.
    func shutdown()
    /// Releases the connection.
    func close()
}

extension PeerChannel {
    public var canSendWithoutBlocking: Bool { false }

    public func send(batch payloads: [[UInt8]], deadline: ContinuousClock.Instant?) throws(TransportError) {
        for payload in payloads { try send(payload, deadline: deadline) }
    }
}

/// Makes `PeerChannel`s from freshly connected sockets by running the handshake.
public protocol PeerChannelFactory: Sendable {
    /// The dialing side: we are `local` and expect to reach `remote`.
    func connect(
        _ socket: Socket, local: RaftNodeID, remote: RaftNodeID, maxFrameSize: Int, deadline: ContinuousClock.Instant
    ) throws(TransportError) -> any PeerChannel
    /// The accepting side: the handshake tells who dialed.
    func accept(
        _ socket: Socket, local: RaftNodeID, maxFrameSize: Int, deadline: ContinuousClock.Instant
    ) throws(TransportError) -> any PeerChannel
}
