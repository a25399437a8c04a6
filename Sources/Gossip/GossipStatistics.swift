/// Counters of one agent's gossip traffic, for `/v1/agent/members`-style diagnostics, the
/// benchmark's bytes-per-second figures, and the tests that prove bad packets are dropped.
public struct GossipStatistics: Sendable, Hashable {
    public var packetsSent = 0
    public var bytesSent = 0
    public var packetsReceived = 0
    public var bytesReceived = 0
    /// SWIM messages sent; more than `packetsSent` when several were compounded into one packet.
    public var messagesSent = 0
    public var tcpExchanges = 0
    public var tcpFailures = 0
    public var tcpBytesSent = 0
    /// Datagrams the destination's host refused (ICMP port unreachable): a member gone while
    /// its machine stays up.
    public var refusalsReceived = 0
    /// Packets dropped before their body was parsed, by reason.
    public var dropped: [GossipDropReason: Int] = [:]

    public init() {}

    public var droppedTotal: Int { dropped.values.reduce(0, +) }

    public func dropped(_ reason: GossipDropReason) -> Int { dropped[reason] ?? 0 }
}
