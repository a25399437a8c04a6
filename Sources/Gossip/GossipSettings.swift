import Foundation
import SWIM

/// How one agent takes part in gossip. UDP and TCP share one port (Serf's and Nomad's
/// convention: 4648 for Nomad servers, 7946 for Serf).
public struct GossipSettings: Sendable {
    /// Nomad's default Serf port.
    public static let defaultPort = 4648

    public var nodeID: SWIMNodeID
    public var metadata: SWIMMetadata
    /// Packets of other clusters are dropped before decryption.
    public var clusterName: String
    public var bindHost: String
    /// 0 picks a free port (tests and benchmarks).
    public var port: Int
    /// The address other members use for this one; `bindHost` when nil (it must then be a
    /// concrete address, not 0.0.0.0).
    public var advertiseHost: String?
    public var keyring: GossipKeyring
    public var swim: SWIMSettings
    /// Addresses to join at start (and retry until one answers).
    public var join: [SWIMAddress]
    /// Pause between join attempts while no seed has answered.
    public var joinRetryInterval: Duration
    /// Give up joining after this many attempts; 0 retries forever (Nomad's retry_join).
    public var joinRetryLimit: Int
    /// When set, known members are remembered here and rejoined after a restart.
    public var dataDirectory: String?
    /// How long a TCP exchange (push-pull, fallback probe) may take.
    public var tcpTimeout: Duration
    /// How long `leave()` keeps gossiping so that the news spreads before the sockets close.
    public var leavePropagationTime: Duration

    public init(nodeID: SWIMNodeID, metadata: SWIMMetadata = SWIMMetadata(), clusterName: String = "roost",
                bindHost: String = "127.0.0.1", port: Int = GossipSettings.defaultPort, advertiseHost: String? = nil,
                keyring: GossipKeyring = GossipKeyring(), swim: SWIMSettings = .lan, join: [SWIMAddress] = [],
                joinRetryInterval: Duration = .seconds(5), joinRetryLimit: Int = 0, dataDirectory: String? = nil,
                tcpTimeout: Duration = .seconds(10), leavePropagationTime: Duration? = nil) {
        self.nodeID = nodeID
        self.metadata = metadata
        self.clusterName = clusterName
        self.bindHost = bindHost
        self.port = port
        self.advertiseHost = advertiseHost
        self.keyring = keyring
        self.swim = swim
        self.join = join
        self.joinRetryInterval = joinRetryInterval
        self.joinRetryLimit = joinRetryLimit
        self.dataDirectory = dataDirectory
        self.tcpTimeout = tcpTimeout
        self.leavePropagationTime = leavePropagationTime ?? max(swim.gossipInterval * 5, swim.probeInterval)
    }

    /// The cluster's ID on the wire: a digest of its name, so that two clusters on one network
    /// ignore each other's packets even when they share a key.
    public var clusterID: UInt64 { Self.clusterID(of: clusterName) }

    public static func clusterID(of name: String) -> UInt64 {
        // FNV-1a: stable across processes and versions, unlike `Hasher`.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// A node ID for gossip from a stable identity string (the agent's node ID): the same
    /// agent keeps the same gossip ID across restarts, which is what lets it refute its death.
    public static func nodeID(from identity: String) -> SWIMNodeID {
        SWIMNodeID(clusterID(of: "node:" + identity) | 1)
    }
}

extension GossipSettings {
    /// Reads `host:port`, `[v6]:port` or a bare host (which gets `defaultPort`), as given to
    /// `-join`. Nil when the port is not a number from 1 to 65535 or the host is empty.
    public static func address(from text: String, defaultPort: Int = GossipSettings.defaultPort) -> SWIMAddress? {
        var host = Substring(text.trimmingCharacters(in: .whitespaces))
        var port = defaultPort
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let parsed = Int(rest.dropFirst()) else { return nil }
                port = parsed
            }
        } else if let colon = host.lastIndex(of: ":"), host.firstIndex(of: ":") == colon {
            guard let parsed = Int(host[host.index(after: colon)...]) else { return nil }
            port = parsed
            host = host[..<colon]
        }
        guard !host.isEmpty, (1...65535).contains(port), host.utf8.count <= SWIMAddress.maximumHostLength else { return nil }
        return SWIMAddress(host: String(host), port: UInt16(port))
    }
}
