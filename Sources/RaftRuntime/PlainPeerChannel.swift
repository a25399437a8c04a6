import Platform
import Raft

/// A `PeerChannel` with no encryption or authentication: frames as they are, and a handshake
/// in which each side states its node ID (`"RRFT"`, version, sender ID, the ID it expects at
/// the other end). It catches misdirected connections (an address now used by another
/// node), not impostors; that is the encrypted channel's job.
public final class PlainPeerChannel: PeerChannel {
    public let peer: RaftNodeID
    private let stream: FrameStream

    init(peer: RaftNodeID, stream: FrameStream) {
        self.peer = peer
        self.stream = stream
    }

    public func send(_ payload: [UInt8], deadline: ContinuousClock.Instant?) throws(TransportError) {
        try stream.send(payload, deadline: deadline)
    }

    public func send(batch payloads: [[UInt8]], deadline: ContinuousClock.Instant?) throws(TransportError) {
        try stream.send(batch: payloads, deadline: deadline)
    }

    public func receive() throws(TransportError) -> [UInt8]? {
        try stream.receive()
    }

    public var peerHasClosed: Bool { stream.peerHasClosed }

    public var canSendWithoutBlocking: Bool { stream.hasSendRoom }

    public func shutdown() { stream.socket.shutdown() }

    public func close() { stream.socket.close() }

    static let magic: [UInt8] = Array("RRFT".utf8)
    static let version: UInt8 = 1
    /// A hello is 21 bytes; a peer sending more is not speaking this protocol.
    static let helloLimit = 64

    static func hello(from local: RaftNodeID, to remote: RaftNodeID) -> [UInt8] {
        var bytes = magic
        bytes.append(version)
        bytes.appendLittleEndian(local.rawValue)
        bytes.appendLittleEndian(remote.rawValue)
        return bytes
    }

    /// Parses a hello into (sender, expected receiver).
    static func parseHello(_ bytes: [UInt8]) throws(TransportError) -> (sender: RaftNodeID, receiver: RaftNodeID) {
        guard bytes.count == 21, Array(bytes[0..<4]) == magic else { throw .handshake("not a Roost Raft peer") }
        guard bytes[4] == version else { throw .handshake("unsupported protocol version \(bytes[4])") }
        return bytes.withUnsafeBytes { raw in
            (RaftNodeID(raw.loadLittleEndianUInt64(at: 5)), RaftNodeID(raw.loadLittleEndianUInt64(at: 13)))
        }
    }
}

/// Runs the plain handshake: the dialer sends its hello, the acceptor answers with its own,
/// and each checks the other's.
public struct PlainPeerChannelFactory: PeerChannelFactory {
    public init() {}

    public func connect(
        _ socket: Socket, local: RaftNodeID, remote: RaftNodeID, maxFrameSize: Int, deadline: ContinuousClock.Instant
    ) throws(TransportError) -> any PeerChannel {
        let handshake = FrameStream(socket: socket, maxFrameSize: PlainPeerChannel.helloLimit)
        try handshake.send(PlainPeerChannel.hello(from: local, to: remote), deadline: deadline)
        guard let answer = try handshake.receive(deadline: deadline) else { throw .truncated }
        let (sender, receiver) = try PlainPeerChannel.parseHello(answer)
        guard sender == remote, receiver == local else {
            throw .handshake("expected node \(remote), reached node \(sender)")
        }
        handshake.maxFrameSize = maxFrameSize
        return PlainPeerChannel(peer: remote, stream: handshake)
    }

    public func accept(
        _ socket: Socket, local: RaftNodeID, maxFrameSize: Int, deadline: ContinuousClock.Instant
    ) throws(TransportError) -> any PeerChannel {
        let handshake = FrameStream(socket: socket, maxFrameSize: PlainPeerChannel.helloLimit)
        guard let hello = try handshake.receive(deadline: deadline) else { throw .truncated }
        let (sender, receiver) = try PlainPeerChannel.parseHello(hello)
        guard receiver == local else { throw .handshake("dialed node \(receiver), this is node \(local)") }
        guard sender != .none else { throw .handshake("the peer has no node ID") }
        try handshake.send(PlainPeerChannel.hello(from: local, to: sender), deadline: deadline)
        handshake.maxFrameSize = maxFrameSize
        return PlainPeerChannel(peer: sender, stream: handshake)
    }
}
