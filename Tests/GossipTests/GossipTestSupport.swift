import Foundation
import Gossip
import SWIM

/// Agents on 127.0.0.1 with `lanFast` timing, and a wait that polls a condition: the tests
/// run real sockets and threads, so they wait for outcomes with a generous deadline rather
/// than for fixed times.
enum GossipTestSupport {
    static let cluster = "gossip-tests"

    static func settings(_ index: Int, keyring: GossipKeyring, join: [SWIMAddress] = [], dataDirectory: String? = nil) -> GossipSettings {
        GossipSettings(
            nodeID: SWIMNodeID(UInt64(index)), metadata: SWIMMetadata(nodeName: "agent-\(index)", role: "worker"),
            clusterName: cluster, bindHost: "127.0.0.1", port: 0, keyring: keyring, swim: .lanFast, join: join,
            joinRetryInterval: .milliseconds(200), dataDirectory: dataDirectory, tcpTimeout: .seconds(2))
    }

    /// Starts `count` agents; all but the first join the first.
    static func startCluster(count: Int, keyring: GossipKeyring) throws -> [GossipShell] {
        let seed = try GossipShell.start(settings: settings(1, keyring: keyring))
        var shells = [seed]
        for index in 2...max(2, count) where index <= count {
            shells.append(try GossipShell.start(settings: settings(index, keyring: keyring, join: [seed.address])))
        }
        return shells
    }

    /// True when every shell sees every other one alive.
    static func converged(_ shells: [GossipShell]) -> Bool {
        let ids = Set(shells.map(\.nodeID))
        return shells.allSatisfy { shell in
            Set(shell.members.filter { $0.status == .alive }.map(\.id)) == ids.subtracting([shell.nodeID])
        }
    }

    /// Polls `condition` every 20 ms until it holds or `limit` passes; returns how long it took,
    /// or nil on timeout.
    static func waitFor(within limit: Duration, _ condition: () -> Bool) async -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            if condition() { return ContinuousClock.now - start }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition() ? ContinuousClock.now - start : nil
    }

    static func stopAll(_ shells: [GossipShell]) async {
        for shell in shells { await shell.stop() }
    }

    /// The longest a crash may take to be known by everyone, from the settings alone (the
    /// same reasoning as the simulation's bound): a full round-robin pass, a direct and an
    /// indirect probe, the longest suspicion, and the spread of the verdict.
    static func detectionBound(memberCount n: Int, settings: SWIMSettings) -> Duration {
        let pass = settings.probeInterval * (n - 1)
        let probe = settings.probeTimeout * 2
        let suspicion = settings.suspicionTimeoutBounds(memberCount: n).maximum
        let spread = settings.gossipInterval * settings.retransmitLimit(memberCount: n) + settings.probeInterval
        return pass + probe + suspicion + spread
    }

    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: "%.2f", value)
    }

    static func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gossip-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }
}
