/// Counters of what this instance did, for metrics and for the simulation's measurements.
public struct SWIMStatistics: Sendable, Hashable {
    public var probesStarted = 0
    /// Probes that got no ack, direct or indirect, and so started (or confirmed) a suspicion.
    public var probesFailed = 0
    /// Probes ended early because the target's host refused the TCP fallback.
    public var probesRefused = 0
    /// Direct pings whose refusal (ICMP port unreachable) started the indirect phase early.
    public var datagramsRefused = 0
    /// State exchanges started because a datagram came from a member never heard of.
    public var unknownSenderSyncs = 0
    public var indirectProbesSent = 0
    public var nacksReceived = 0
    /// Times this member raised its incarnation to answer a suspicion or death about itself.
    public var refutations = 0
    public var messagesSent = 0

    public init() {}
}
