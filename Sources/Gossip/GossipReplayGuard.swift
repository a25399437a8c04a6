import SWIM

/// One replay window per sender. Only authenticated packets reach it (the sender and sequence
/// are in the authenticated header), so a stranger cannot fill it; it is bounded anyway, by
/// forgetting the quietest sender when full.
struct GossipReplayGuard: Sendable {
    static let maximumSenders = 16_384
    private var windows: [SWIMNodeID: GossipReplayWindow] = [:]

    mutating func accept(sender: SWIMNodeID, sequence: UInt64) -> Bool {
        guard var window = windows[sender] else {
            if windows.count >= Self.maximumSenders, let quietest = windows.min(by: { $0.value.highest < $1.value.highest }) {
                windows[quietest.key] = nil
            }
            windows[sender] = GossipReplayWindow(first: sequence)
            return true
        }
        let isFresh = window.accept(sequence)
        windows[sender] = window
        return isFresh
    }
}
