/// Limits and timings of a `FrameTransport`, with documented defaults.
public struct FrameTransportSettings: Sendable {
    /// Largest frame accepted or sent (64 MiB: a snapshot chunk or a batch of entries fits
    /// with room to spare). Checked on the length prefix, before the payload is read.
    public var maxFrameSize: Int = 64 << 20
    /// Frames queued per peer while its connection is down or slow. When full, the OLDEST
    /// frame is dropped (and counted): Raft retransmits, and newer messages supersede older
    /// ones, so memory stays bounded without stalling the caller.
    public var queueCapacity: Int = 4096
    public var connectTimeout: Duration = .seconds(2)
    public var handshakeTimeout: Duration = .seconds(5)
    /// A send that makes no progress this long means the peer is stuck: the connection is
    /// dropped and redialed.
    public var sendTimeout: Duration = .seconds(10)
    /// Reconnect delays double from `initialBackoff` up to `maxBackoff`, and reset after a
    /// connection succeeds.
    public var initialBackoff: Duration = .milliseconds(50)
    public var maxBackoff: Duration = .seconds(2)
    /// Inbound connections accepted at once; more are closed immediately.
    public var maxInboundConnections: Int = 64

    public init() {}
}
