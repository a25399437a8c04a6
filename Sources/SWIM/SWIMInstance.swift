/// One member's SWIM + Lifeguard state machine: pure and synchronous.
///
/// The shell calls an entry point with the current instant and carries out the returned
/// directives (send datagrams, run a TCP probe or a push-pull exchange, publish events). It
/// should call `onTick(now:)` no later than `nextDeadline`, and on every received datagram call
/// `onMessage`. Nothing here reads a clock or draws an unseeded random number, so a seeded
/// simulation of many instances replays exactly.
///
/// Indirect probe results arrive as messages (a relay forwards the target's ack, or sends a
/// nack), so they need no entry point of their own; TCP fallback results do
/// (`onTCPFallbackResult`).
public struct SWIMInstance: Sendable {
    public let settings: SWIMSettings
    /// This member as it announces itself (its incarnation grows with each refutation).
    public internal(set) var myself: SWIMMember
    /// Lifeguard's local health score, 0 ..< `awarenessMaxMultiplier`: probe intervals and
    /// timeouts are multiplied by `localHealth + 1`. Always 0 with Lifeguard off.
    public internal(set) var localHealth = 0
    public internal(set) var isLeaving = false
    public internal(set) var statistics = SWIMStatistics()

    var table: [SWIMNodeID: SWIMMember] = [:]
    /// Every member in `table`, for O(1) random sampling; `knownIndex` maps back for removal.
    var known: [SWIMNodeID] = []
    var knownIndex: [SWIMNodeID: Int] = [:]
    /// Alive and suspect members other than myself, kept up to date by `store`.
    var activeOthers = 0
    var probeOrder: [SWIMNodeID] = []
    var probeCursor = 0
    var probe: OutstandingProbe?
    var relays: [UInt32: Relay] = [:]
    var suspicions: [SWIMNodeID: Suspicion] = [:]
    /// Senders of datagrams we had never heard of (see `noteSender`).
    var unknownSenders: [SWIMNodeID: UnknownSender] = [:]
    var queue = DisseminationQueue()
    var sequence: UInt32
    var random: SWIMRandom
    var nextProbeAt: SWIMInstant
    var nextGossipAt: SWIMInstant
    var nextPushPullAt: SWIMInstant
    var nextReapAt: SWIMInstant

    /// A probe of one member in flight: direct ping first, then the indirect phase.
    struct OutstandingProbe: Sendable {
        enum Phase: Sendable { case direct, indirect }
        var sequence: UInt32
        var target: SWIMNodeID
        var phase: Phase
        var deadline: SWIMInstant
        var expectedNacks = 0
        var nacks = 0
    }

    /// A member heard from but not heard of, and whether we asked it for the state yet.
    struct UnknownSender: Sendable {
        var address: SWIMAddress
        var firstSeen: SWIMInstant
        var syncedAt: SWIMInstant?
    }

    /// A ping this member sends on behalf of another (ping-req).
    struct Relay: Sendable {
        var originSequence: UInt32
        var requester: SWIMAddress
        var nackAt: SWIMInstant
        var wantsNack: Bool
    }

    /// - Parameters:
    ///   - incarnation: where to start; a restarted agent may pass a value above its last one
    ///     (e.g. from its clock) to come back without first being refuted.
    ///   - seed: the only randomness (probe order, gossip targets, relay choice).
    ///   - knownMembers: members remembered from before a restart (alive ones only are kept),
    ///     probed from the start but not announced as news: they may be stale, and the first
    ///     probes or a push-pull will tell.
    public init(id: SWIMNodeID, address: SWIMAddress, metadata: SWIMMetadata = SWIMMetadata(),
                incarnation: UInt64 = 0, settings: SWIMSettings = .lan, seed: UInt64, now: SWIMInstant,
                knownMembers: [SWIMGossip] = []) throws {
        try settings.validate()
        try metadata.validate()
        if address.host.utf8.count > SWIMAddress.maximumHostLength {
            throw SWIMCodecError.tooLong("host", address.host.utf8.count)
        }
        self.settings = settings
        myself = SWIMMember(id: id, address: address, status: .alive, incarnation: incarnation,
                            metadata: metadata, statusSince: now)
        random = SWIMRandom(seed: seed ^ 0x5357_494D_5357_494D)
        sequence = UInt32(truncatingIfNeeded: random.next())
        // Start the periodic work at a random phase so members that boot together do not
        // probe and gossip in lockstep.
        let jitter = Int64.random(in: 0..<max(1, settings.probeInterval.swimNanoseconds), using: &random)
        nextProbeAt = now + .nanoseconds(jitter)
        nextGossipAt = now + settings.gossipInterval
        nextPushPullAt = now + settings.pushPullInterval + .nanoseconds(jitter)
        nextReapAt = now + settings.probeInterval
        for fact in knownMembers where fact.status == .alive && fact.member != id
            && fact.address.host.utf8.count <= SWIMAddress.maximumHostLength && table[fact.member] == nil {
            store(SWIMMember(id: fact.member, address: fact.address, status: .alive, incarnation: fact.incarnation,
                             metadata: fact.metadata ?? SWIMMetadata(), statusSince: now))
        }
    }

    // MARK: Queries

    /// Every other member this instance knows, including failed and left ones not yet reaped.
    public var members: [SWIMMember] { table.values.sorted { $0.id < $1.id } }

    public func member(_ id: SWIMNodeID) -> SWIMMember? { id == myself.id ? myself : table[id] }

    /// Alive and suspect members, myself included: the n of every formula.
    public var activeMemberCount: Int { activeOthers + 1 }

    /// The current probe interval and timeout, scaled by local health.
    public var currentProbeInterval: Duration { settings.probeInterval * (localHealth + 1) }
    public var currentProbeTimeout: Duration { settings.probeTimeout * (localHealth + 1) }

    /// The updates still queued for piggybacking (for tests and metrics).
    public var pendingGossipCount: Int { queue.count }

    /// When `onTick` has something to do next. The shell may tick earlier; later delays probes.
    public var nextDeadline: SWIMInstant {
        var deadline = min(nextGossipAt, nextPushPullAt, nextReapAt)
        if let probe {
            deadline = min(deadline, probe.deadline)
        } else if !isLeaving {
            deadline = min(deadline, nextProbeAt)
        }
        for relay in relays.values { deadline = min(deadline, relay.nackAt) }
        for suspicion in suspicions.values { deadline = min(deadline, suspicion.deadline) }
        return deadline
    }

    /// The full state for a push-pull exchange: myself and every member, with metadata.
    public func fullState() -> [SWIMGossip] {
        var state = [gossip(about: myself, reporter: myself.id, withMetadata: true)]
        for id in known {
            if let member = table[id] { state.append(gossip(about: member, reporter: myself.id, withMetadata: true)) }
        }
        return state
    }

    /// The suspicion deadline of a member, if it is suspected (for tests).
    public func suspicionDeadline(of id: SWIMNodeID) -> SWIMInstant? { suspicions[id]?.deadline }

    func gossip(about member: SWIMMember, reporter: SWIMNodeID, withMetadata: Bool) -> SWIMGossip {
        SWIMGossip(status: member.status, member: member.id, incarnation: member.incarnation, address: member.address,
                   metadata: withMetadata || member.status == .alive ? member.metadata : nil, reporter: reporter)
    }
}
