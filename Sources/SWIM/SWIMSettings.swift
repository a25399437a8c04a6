/// The tunables of SWIM and Lifeguard. The defaults (`lan`) match memberlist's LAN profile, the
/// one Serf and Consul ship, so that a side-by-side comparison uses the same timing; `lanFast`
/// divides every time by ten for tests and simulations.
public struct SWIMSettings: Sendable, Hashable {
    /// How often a member probes the next member of its round-robin list (scaled by the local
    /// health multiplier).
    public var probeInterval: Duration = .seconds(1)
    /// How long a direct ping may take before the indirect probes start (scaled likewise). Also
    /// the length of the indirect phase.
    public var probeTimeout: Duration = .milliseconds(500)
    /// How many members are asked to ping a silent target.
    public var indirectChecks: Int = 3
    /// Minimum suspicion timeout = multiplier · max(1, log10(n)) · probeInterval. (memberlist
    /// keeps the scale at least 1 so that tiny clusters do not get a zero timeout.)
    public var suspicionMultiplier: Int = 4
    /// Maximum suspicion timeout = this · minimum; a fresh, unconfirmed suspicion starts there.
    public var suspicionMaxTimeoutMultiplier: Int = 6
    /// λ: each update is sent λ·⌈log10(n+1)⌉ times before it is dropped from the queue.
    public var retransmitMultiplier: Int = 4
    /// The local health multiplier saturates at this − 1, so intervals grow at most this much.
    public var awarenessMaxMultiplier: Int = 8
    /// How often queued updates are sent, on their own, to `gossipNodes` random members.
    public var gossipInterval: Duration = .milliseconds(200)
    public var gossipNodes: Int = 3
    /// Dead members still receive gossip this long, so a live one that was wrongly declared dead
    /// hears it and refutes.
    public var gossipToTheDeadTime: Duration = .seconds(30)
    /// How often a full-state exchange (anti-entropy) with one random member runs.
    public var pushPullInterval: Duration = .seconds(30)
    /// Failed and left members are remembered this long (to recognise a rejoin and to keep
    /// telling latecomers), then forgotten. Serf's reconnect and tombstone timeouts are 24 h.
    public var deadMemberRetention: Duration = .seconds(24 * 3600)
    /// Plaintext bytes per datagram: a 1,400-byte MTU minus the shell's sealing overhead (a
    /// header, a 24-byte nonce and a 16-byte tag) with room to spare.
    public var packetBudget: Int = 1_300
    /// Ask the shell for a TCP probe alongside the indirect probes.
    public var tcpFallback: Bool = true
    /// Lifeguard (local health, nacks, dynamic suspicion, buddy system). Off gives plain SWIM
    /// with memberlist's fixed suspicion timeout (the minimum), for comparison.
    public var lifeguard: Bool = true

    public init() {}

    /// memberlist's `DefaultLANConfig` timing.
    public static let lan = SWIMSettings()

    /// Every time ten times shorter than `lan`: for tests and simulations, where a second of
    /// simulated time costs real time.
    public static let lanFast: SWIMSettings = {
        var settings = SWIMSettings()
        settings.probeInterval = .milliseconds(100)
        settings.probeTimeout = .milliseconds(50)
        settings.gossipInterval = .milliseconds(20)
        settings.gossipToTheDeadTime = .seconds(3)
        settings.pushPullInterval = .seconds(3)
        settings.deadMemberRetention = .seconds(60)
        return settings
    }()

    /// Errors a shell reports at startup rather than discovering as odd behaviour.
    public func validate() throws(SWIMSettingsError) {
        if probeInterval <= .zero { throw .invalid("probeInterval must be positive") }
        if probeTimeout <= .zero || probeTimeout > probeInterval {
            throw .invalid("probeTimeout must be positive and at most probeInterval")
        }
        if gossipInterval <= .zero { throw .invalid("gossipInterval must be positive") }
        if pushPullInterval <= .zero { throw .invalid("pushPullInterval must be positive") }
        if !(0...16).contains(indirectChecks) { throw .invalid("indirectChecks must be in 0...16") }
        if !(1...64).contains(suspicionMultiplier) { throw .invalid("suspicionMultiplier must be in 1...64") }
        if !(1...64).contains(suspicionMaxTimeoutMultiplier) {
            throw .invalid("suspicionMaxTimeoutMultiplier must be in 1...64")
        }
        if !(1...64).contains(retransmitMultiplier) { throw .invalid("retransmitMultiplier must be in 1...64") }
        if !(1...64).contains(awarenessMaxMultiplier) { throw .invalid("awarenessMaxMultiplier must be in 1...64") }
        if !(0...64).contains(gossipNodes) { throw .invalid("gossipNodes must be in 0...64") }
        if packetBudget < 576 || packetBudget > 65_000 { throw .invalid("packetBudget must be in 576...65000") }
    }

    /// (minimum, maximum) suspicion timeout for a cluster of `memberCount` members.
    public func suspicionTimeoutBounds(memberCount: Int) -> (minimum: Duration, maximum: Duration) {
        let scale = max(1.0, SWIMMath.log10(Double(max(1, memberCount))))
        let minimum = probeInterval.swimScaled(by: Double(suspicionMultiplier) * scale)
        return (minimum, minimum.swimScaled(by: Double(suspicionMaxTimeoutMultiplier)))
    }

    /// Lifeguard's dynamic suspicion timeout: starts at the maximum and decays logarithmically
    /// toward the minimum as independent confirmations arrive, reaching it at `expected`.
    public func suspicionTimeout(memberCount: Int, confirmations: Int, expected: Int) -> Duration {
        let (minimum, maximum) = suspicionTimeoutBounds(memberCount: memberCount)
        if !lifeguard || expected < 1 { return minimum }
        let fraction = SWIMMath.naturalLogarithm(Double(max(0, confirmations) + 1))
            / SWIMMath.naturalLogarithm(Double(expected + 1))
        let span = Double(maximum.swimNanoseconds - minimum.swimNanoseconds)
        let timeout = Double(maximum.swimNanoseconds) - span * fraction
        return .nanoseconds(max(minimum.swimNanoseconds, Int64(timeout)))
    }

    /// Lifeguard's k: how many independent confirmations bring a suspicion's timeout down to
    /// its minimum. memberlist's rule, so that Roost and Serf agree on how fast a crash is
    /// declared: the suspicion multiplier minus 2 (which reaches the nominal timeout about two
    /// probe intervals early), and none expected when the cluster has too few other members to
    /// give them (the timeout is then the minimum at once).
    public func expectedConfirmations(memberCount n: Int) -> Int {
        let k = max(0, suspicionMultiplier - 2)
        return n - 2 < k ? 0 : k
    }

    /// How many times one update is sent: λ·⌈log10(n+1)⌉.
    public func retransmitLimit(memberCount: Int) -> Int {
        let scale = Int(SWIMMath.log10(Double(max(0, memberCount) + 1)).rounded(.up))
        return retransmitMultiplier * max(1, scale)
    }
}
