/// The protocol part of a message; gossip rides alongside it in `SWIMMessage`.
public enum SWIMPayload: Sendable, Hashable {
    /// Only gossip: sent every gossip interval to a few random members while updates are queued.
    case gossip
    /// "Are you `target`? Then ack `sequence`." The target check keeps a node that took over an
    /// address from answering for its predecessor.
    case ping(sequence: UInt32, target: SWIMNodeID)
    /// "Please ping `target` at `address` for me and forward its ack (or a nack if it stays
    /// silent, when `wantsNack`)."
    case pingRequest(sequence: UInt32, target: SWIMNodeID, address: SWIMAddress, wantsNack: Bool)
    case ack(sequence: UInt32)
    /// Lifeguard: an intermediary says "I asked, and got no answer in time". Its arrival shows
    /// that the requester itself can still receive; its absence lowers the requester's health.
    case nack(sequence: UInt32)
}
