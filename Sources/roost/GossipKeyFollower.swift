import Gossip

/// Keeps an agent's gossip member on the cluster's gossip key. When the key is rotated (a node
/// was removed: `roost node rm`), the member installs the new key and sends with it at once,
/// and keeps accepting the old one for `retirementDelay` (so members that have not switched
/// yet are still understood), then drops every other key, after which the removed node can
/// neither read nor write the cluster's gossip.
enum GossipKeyFollower {
    static let pollInterval: Duration = .seconds(2)
    static let retirementDelay: Duration = .seconds(30)

    /// Runs until cancelled. `clusterKeys` gives the cluster's keys, primary first (nil or
    /// empty: nothing to follow, as in a cluster whose gossip is not encrypted).
    static func run(gossip: GossipShell, clusterKeys: @Sendable () async -> [[UInt8]]?, log: @Sendable (String) -> Void) async {
        var retireAt: ContinuousClock.Instant?
        // Only a change of the cluster's key is followed, so that an operator's own keyring
        // commands (`roost operator gossip keyring use`) are not undone every two seconds.
        var lastSeen = gossip.keyring.primaryKey
        while !Task.isCancelled {
            if let primary = await clusterKeys()?.first, primary != lastSeen {
                lastSeen = primary
                if primary != gossip.keyring.primaryKey { retireAt = follow(primary, gossip: gossip, log: log) ?? retireAt }
            }
            if let due = retireAt, ContinuousClock.now >= due, let primary = gossip.keyring.primaryKey {
                for key in gossip.keyring.keys where key != primary { try? gossip.removeKey(key) }
                retireAt = nil
                log("gossip: old keys dropped; only key \(GossipKeyring.keyID(of: primary)) remains")
            }
            try? await Task.sleep(for: pollInterval)
        }
    }

    /// Installs and uses `primary`; when the old keys may go, or nil when it failed.
    private static func follow(_ primary: [UInt8], gossip: GossipShell, log: @Sendable (String) -> Void) -> ContinuousClock.Instant? {
        do {
            try gossip.installKey(primary)
            try gossip.useKey(primary)
            log("gossip: now sending with the cluster's new key \(GossipKeyring.keyID(of: primary)); the old ones are dropped in \(retirementDelay)")
            return ContinuousClock.now.advanced(by: retirementDelay)
        } catch {
            log("gossip: cannot move to the cluster's new key: \(error)")
            return nil
        }
    }
}
