import ClusterSecurity
import Glibc
import Platform

/// What the managers' RPC port does with connections that are not Raft: the transport looks
/// at the start of the first frame of each inbound connection and hands
///
/// - a join hello (`ClientHello` with purpose `.join`) to `join`, with the connection
///   positioned at that frame (nothing consumed yet);
/// - a worker's channel hello (`ClientHello` with purpose `.channel`) to `channelHello`, with
///   the stream positioned at that hello, for the worker service to run the handshake itself.
///
/// Both run on the connection's own transport thread, which is theirs until they return (the
/// transport's connection bound and `shutdown()` cover them); the transport closes the
/// connection afterwards.
///
/// The discriminator is the first payload byte. A plain Raft hello starts with the magic
/// `RRFT` (0x52); every handshake message starts with its message type, and a `ClientHello`
/// is type 1, followed by the version and the purpose byte (1 worker channel, 2 join, 3 Raft
/// channel). So the first three bytes tell the four apart, whatever the managers' channel
/// mode, and nothing a Raft peer sends can look like a join or a worker.
public struct InboundDiversion: Sendable {
    public var join: (@Sendable (FramedConnection) -> Void)?
    /// A worker's channel (`01 <version> 01`): managers open their Raft channels with purpose 3,
    /// so this is never a Raft peer.
    public var channelHello: (@Sendable (FrameStream) -> Void)?

    public init(join: (@Sendable (FramedConnection) -> Void)? = nil, channelHello: (@Sendable (FrameStream) -> Void)? = nil) {
        self.join = join
        self.channelHello = channelHello
    }

    /// The first frame's length prefix and the three bytes that identify a join hello.
    static let peekLength = 7

    /// The purpose byte of the `ClientHello` the connection starts with (1 channel, 2 join),
    /// judged from its first bytes read with MSG_PEEK (left in the socket for whoever handles
    /// it); nil when it starts with something else, or when fewer bytes arrive before
    /// `deadline`: the normal handshake then runs and fails or times out as it would.
    static func helloPurpose(_ socket: Socket, deadline: ContinuousClock.Instant) -> UInt8? {
        var bytes = [UInt8](repeating: 0, count: peekLength)
        while true {
            let count = bytes.withUnsafeMutableBytes { recv(socket.descriptor, $0.baseAddress, peekLength, Int32(MSG_PEEK)) }
            if count >= peekLength { return bytes[4] == 1 ? bytes[6] : nil }
            if count == 0 { return nil }
            if count < 0, errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR { return nil }
            // Fewer bytes than needed so far: wait for more (a peeked socket stays readable, so
            // poll briefly instead of waiting for readability).
            guard ContinuousClock.now < deadline else { return nil }
            if count > 0 { usleep(2_000) } else if !socket.waitUntilReadable(deadline: deadline) { return nil }
        }
    }
}
