import Glibc
import Platform
import Raft

/// A TCP connection carrying length-prefixed frames (the RPC port's framing), for the
/// protocols that share the managers' RPC port with Raft: the join service on the manager's
/// side (a connection the transport diverted), and `roost join` on the joiner's. The length
/// is checked against `maxFrameSize` before any payload byte is read.
///
/// Registered with the transport like a peer channel, so its shutdown wakes a blocked read.
public final class FramedConnection: PeerChannel {
    public let peer = RaftNodeID.none
    private let stream: FrameStream

    init(stream: FrameStream) {
        self.stream = stream
    }

    /// The underlying stream, for a service that frames its own protocol over it.
    public var frameStream: FrameStream { stream }

    /// Dials `host:port` (the joiner's side).
    public static func connect(host: String, port: Int, timeout: Duration, maxFrameSize: Int) throws(TransportError) -> FramedConnection {
        do {
            return FramedConnection(stream: FrameStream(socket: try Socket.connect(host: host, port: port, timeout: timeout), maxFrameSize: maxFrameSize))
        } catch {
            throw .socket(error)
        }
    }

    /// The largest frame accepted from the peer (and sent to it).
    public var maxFrameSize: Int {
        get { stream.maxFrameSize }
        set { stream.maxFrameSize = newValue }
    }

    public func send(_ payload: [UInt8], deadline: ContinuousClock.Instant?) throws(TransportError) {
        try stream.send(payload, deadline: deadline)
    }

    public func send(batch payloads: [[UInt8]], deadline: ContinuousClock.Instant?) throws(TransportError) {
        try stream.send(batch: payloads, deadline: deadline)
    }

    public func receive() throws(TransportError) -> [UInt8]? { try stream.receive() }

    /// The next frame, nil when the peer closed between frames; fails at `deadline`.
    public func receive(deadline: ContinuousClock.Instant) throws(TransportError) -> [UInt8]? {
        try stream.receive(deadline: deadline)
    }

    /// Raw bytes, unframed: only for tests that must send what no well-behaved peer would.
    public func sendRaw(_ bytes: [UInt8], deadline: ContinuousClock.Instant?) throws(TransportError) {
        do {
            try stream.socket.sendAll(bytes, deadline: deadline)
        } catch {
            throw .socket(error)
        }
    }

    public var peerHasClosed: Bool { stream.peerHasClosed }
    public func shutdown() { stream.socket.shutdown() }
    public func close() { stream.socket.close() }
}
