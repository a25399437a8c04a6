/// Counters of a `FrameTransport`, for metrics and tests.
public struct FrameTransportStatistics: Sendable, Equatable {
    public var framesSent = 0
    public var framesReceived = 0
    /// Frames dropped because a peer's queue was full (the oldest go first).
    public var framesDroppedQueueFull = 0
    /// Frames lost with a connection that failed while sending them.
    public var framesLostOnFailure = 0
    /// Frames sent to a node with no known address.
    public var framesToUnknownPeers = 0
    /// Inbound connections closed because a frame's announced length was over the cap.
    public var oversizeFramesRejected = 0
    public var outboundConnections = 0
    public var connectFailures = 0
    public var inboundConnections = 0
    public var handshakeFailures = 0

    public init() {}
}
