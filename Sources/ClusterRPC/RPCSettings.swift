/// The limits of one worker RPC channel. Every number here bounds what a peer can make this
/// side hold or wait for (DESIGN.md §1.4).
public struct RPCSettings: Sendable, Hashable {
    /// The largest plaintext frame either side accepts. The length prefix is checked against
    /// this (plus the secretstream tag) before any byte of the frame is read or decrypted.
    public var maxFrameSize: Int
    /// How long the handshake may take before the connection is dropped.
    public var handshakeTimeout: Duration
    /// How long writing one frame may wait for socket buffer space.
    public var sendTimeout: Duration
    /// Requests one channel may have in flight on the serving side; more are answered
    /// `overloaded` at once rather than queued.
    public var maxConcurrentRequests: Int
    /// The longest allocation long poll the serving side honours; a longer `wait` is cut to it.
    public var maxLongPollWait: Duration

    public init(
        maxFrameSize: Int = 4 * 1024 * 1024, handshakeTimeout: Duration = .seconds(10), sendTimeout: Duration = .seconds(10),
        maxConcurrentRequests: Int = 64, maxLongPollWait: Duration = .seconds(60)
    ) {
        precondition(maxFrameSize >= 1_024, "RPCSettings.maxFrameSize must be at least 1 KiB (got \(maxFrameSize))")
        precondition(maxConcurrentRequests >= 1, "RPCSettings.maxConcurrentRequests must be at least 1")
        self.maxFrameSize = maxFrameSize
        self.handshakeTimeout = handshakeTimeout
        self.sendTimeout = sendTimeout
        self.maxConcurrentRequests = maxConcurrentRequests
        self.maxLongPollWait = maxLongPollWait
    }

    /// The frames of the handshake are a few hundred bytes; a larger one is not a handshake.
    static let handshakeFrameLimit = 4_096
}
