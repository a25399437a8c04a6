/// One UDP datagram's worth of SWIM: a protocol payload plus piggybacked gossip, compounded by
/// the instance to fit `SWIMSettings.packetBudget` once encoded.
public struct SWIMMessage: Sendable, Hashable {
    public var sender: SWIMNodeID
    public var payload: SWIMPayload
    public var gossip: [SWIMGossip]

    /// A datagram never carries more entries than this (the codec refuses more), which bounds
    /// the work a single packet can cause.
    public static let maximumGossipCount = 64

    public init(sender: SWIMNodeID, payload: SWIMPayload, gossip: [SWIMGossip] = []) {
        self.sender = sender
        self.payload = payload
        self.gossip = gossip
    }
}
