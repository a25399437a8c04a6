import SWIM

/// A whole gossip cluster in one thread: every member is a `SWIMInstance`, time is simulated,
/// and the network drops, delays and partitions datagrams as told, all from one seed, so a run
/// replays exactly.
struct SimulatedCluster {
    struct Node {
        var instance: SWIMInstance
        var crashed = false
        /// Whether a crashed member's machine is still up, answering for its closed ports: a
        /// datagram to it draws an ICMP "port unreachable", a TCP connection a reset.
        var hostAnswers = false
        /// Extra processing delay, drawn uniformly from 0...slowness for each datagram this
        /// member handles: a member starved of CPU that answers late.
        var slowness: Duration = .zero
        var scheduledTick: SWIMInstant?
        /// What this member currently believes of every other member.
        var view: [SWIMNodeID: SWIMMemberStatus] = [:]
    }

    enum Action {
        case tick(SWIMNodeID)
        case deliver(SWIMMessage, from: SWIMAddress, to: SWIMNodeID)
        case pushPullRequest([SWIMGossip], from: SWIMNodeID, to: SWIMNodeID)
        case pushPullReply([SWIMGossip], to: SWIMNodeID)
        case tcpResult(sequence: UInt32, target: SWIMNodeID, outcome: SWIMFallbackOutcome, to: SWIMNodeID)
        case refusal(of: SWIMAddress, to: SWIMNodeID)
    }

    struct Scheduled {
        var at: SWIMInstant
        var order: UInt64
        var action: Action
    }

    /// An event some member reported, with when.
    struct Observation {
        var at: SWIMInstant
        var observer: SWIMNodeID
        var event: SWIMEvent
    }

    var nodes: [SWIMNodeID: Node] = [:]
    var ids: [SWIMNodeID] = []
    var byAddress: [SWIMAddress: SWIMNodeID] = [:]
    var now = SWIMInstant.zero
    var random: SWIMRandom
    var lossRate = 0.0
    var minimumDelay: Duration = .microseconds(200)
    var maximumDelay: Duration = .milliseconds(2)
    /// Members in different groups cannot reach each other; members not listed are in group 0.
    var partition: [SWIMNodeID: Int] = [:]
    var observations: [Observation] = []
    var datagramsSent = 0
    private var heap: [Scheduled] = []
    private var order: UInt64 = 0

    init(size: Int, settings: SWIMSettings, seed: UInt64, converged: Bool = true) {
        random = SWIMRandom(seed: seed)
        // Start from a cluster that already knows itself, as after a completed join, when
        // `converged`; otherwise everyone knows only itself.
        let everyone = (1...size).map { index in
            let id = SWIMNodeID(UInt64(index))
            return SWIMGossip(status: .alive, member: id, incarnation: 0, address: Self.address(of: id),
                              metadata: SWIMMetadata(nodeName: "node-\(index)", role: "worker"), reporter: id)
        }
        for (index, fact) in everyone.enumerated() {
            let instance = try! SWIMInstance(
                id: fact.member, address: fact.address, metadata: fact.metadata!,
                settings: settings, seed: seed &* 31 &+ UInt64(index), now: now,
                knownMembers: converged ? everyone : [])
            nodes[fact.member] = Node(instance: instance)
            ids.append(fact.member)
            byAddress[fact.address] = fact.member
        }
        for id in ids { reschedule(id) }
    }

    static func address(of id: SWIMNodeID) -> SWIMAddress {
        SWIMAddress(host: "10.0.\(id.rawValue / 256).\(id.rawValue % 256)", port: 7946)
    }

    var liveIDs: [SWIMNodeID] { ids.filter { nodes[$0]?.crashed == false } }

    // MARK: Faults

    /// Kills a member's process. `hostStaysUp`: its machine keeps running and refuses what is
    /// sent to the member's ports (a process crash); otherwise nothing answers (a machine lost).
    mutating func crash(_ id: SWIMNodeID, hostStaysUp: Bool = false) {
        nodes[id]?.crashed = true
        nodes[id]?.hostAnswers = hostStaysUp
    }

    /// Brings a crashed member back as a fresh process (nothing remembered but its identity),
    /// joining through `seeds`.
    mutating func restart(_ id: SWIMNodeID, incarnation: UInt64, seeds: [SWIMNodeID], settings: SWIMSettings, seed: UInt64) {
        let instance = try! SWIMInstance(id: id, address: Self.address(of: id), metadata: nodes[id]!.instance.myself.metadata,
                                         incarnation: incarnation, settings: settings, seed: seed, now: now)
        nodes[id] = Node(instance: instance)
        join(id, seeds: seeds)
    }

    mutating func join(_ id: SWIMNodeID, seeds: [SWIMNodeID]) {
        handle(id) { instance, now in instance.join(seeds: seeds.map(Self.address(of:)), now: now) }
    }

    mutating func leave(_ id: SWIMNodeID) {
        handle(id) { instance, now in instance.leave(now: now) }
    }

    func reachable(_ a: SWIMNodeID, _ b: SWIMNodeID) -> Bool {
        partition[a, default: 0] == partition[b, default: 0] && nodes[b]?.crashed == false
    }

    /// Whether `target`'s machine answers `sender` for a member that is not running.
    func refuses(_ target: SWIMNodeID, from sender: SWIMNodeID) -> Bool {
        guard let node = nodes[target], node.crashed, node.hostAnswers else { return false }
        return partition[sender, default: 0] == partition[target, default: 0]
    }

    // MARK: Running

    mutating func run(for duration: Duration) {
        run(until: now + duration)
    }

    mutating func run(until end: SWIMInstant) {
        while let next = heap.first, next.at <= end {
            popFirst()
            now = next.at
            perform(next.action)
        }
        now = end
    }

    private mutating func perform(_ action: Action) {
        switch action {
        case .tick(let id):
            guard let node = nodes[id], !node.crashed, node.scheduledTick == now else { return }
            nodes[id]?.scheduledTick = nil
            handle(id) { instance, now in instance.onTick(now: now) }
        case .deliver(let message, let from, let to):
            handle(to) { instance, now in instance.onMessage(message, from: from, now: now) }
        case .pushPullRequest(let state, let from, let to):
            guard let node = nodes[to], !node.crashed else { return }
            let reply = node.instance.fullState()
            handle(to) { instance, now in instance.onPushPull(state, now: now) }
            if reachable(to, from) { schedule(.pushPullReply(reply, to: from), after: delay()) }
        case .pushPullReply(let state, let to):
            handle(to) { instance, now in instance.onPushPull(state, now: now) }
        case .tcpResult(let sequence, let target, let outcome, let to):
            handle(to) { instance, now in
                instance.onTCPFallbackResult(sequence: sequence, target: target, outcome: outcome, now: now)
            }
        case .refusal(let address, let to):
            handle(to) { instance, now in instance.onDatagramRefused(by: address, now: now) }
        }
    }

    /// Runs one entry point on a live member and carries out its directives.
    private mutating func handle(_ id: SWIMNodeID, _ body: (inout SWIMInstance, SWIMInstant) -> [SWIMDirective]) {
        guard var node = nodes[id], !node.crashed else { return }
        let directives = body(&node.instance, now)
        nodes[id] = node
        for directive in directives { carryOut(directive, from: id) }
        reschedule(id)
    }

    private mutating func carryOut(_ directive: SWIMDirective, from sender: SWIMNodeID) {
        switch directive {
        case .send(let message, let address):
            datagramsSent += 1
            guard let target = byAddress[address] else { return }
            if lossRate > 0, Double.random(in: 0..<1, using: &random) < lossRate { return }
            if refuses(target, from: sender) {
                schedule(.refusal(of: address, to: sender), after: delay() + delay())
                return
            }
            guard reachable(sender, target) else { return }
            schedule(.deliver(message, from: Self.address(of: sender), to: target), after: delay() + slowness(of: target))
        case .probeOverTCP(let sequence, let target, _, let deadline):
            // TCP is not subject to datagram loss, but to partitions, crashes and slowness.
            let arrival = now + delay() + delay() + slowness(of: target) + slowness(of: sender)
            if reachable(sender, target), arrival <= deadline {
                schedule(.tcpResult(sequence: sequence, target: target, outcome: .acknowledged, to: sender), at: arrival)
            } else if refuses(target, from: sender) {
                schedule(.tcpResult(sequence: sequence, target: target, outcome: .refused, to: sender), after: delay() + delay())
            } else {
                schedule(.tcpResult(sequence: sequence, target: target, outcome: .noAnswer, to: sender), at: deadline)
            }
        case .pushPull(let address, let state, _):
            guard let target = byAddress[address], reachable(sender, target) else { return }
            schedule(.pushPullRequest(state, from: sender, to: target), after: delay() + slowness(of: target))
        case .event(let event):
            observations.append(Observation(at: now, observer: sender, event: event))
            nodes[sender]?.view[event.member.id] = event.member.status
        }
    }

    private mutating func delay() -> Duration {
        let low = minimumDelay.components.attoseconds / 1_000_000_000 + minimumDelay.components.seconds * 1_000_000_000
        let high = maximumDelay.components.attoseconds / 1_000_000_000 + maximumDelay.components.seconds * 1_000_000_000
        return .nanoseconds(Int64.random(in: low...max(low, high), using: &random))
    }

    private mutating func slowness(of id: SWIMNodeID) -> Duration {
        guard let slowness = nodes[id]?.slowness, slowness > .zero else { return .zero }
        let limit = slowness.components.seconds * 1_000_000_000 + slowness.components.attoseconds / 1_000_000_000
        return .nanoseconds(Int64.random(in: 0...limit, using: &random))
    }

    private mutating func reschedule(_ id: SWIMNodeID) {
        guard let node = nodes[id], !node.crashed else { return }
        let deadline = max(node.instance.nextDeadline, now)
        if let scheduled = node.scheduledTick, scheduled <= deadline { return }
        nodes[id]?.scheduledTick = deadline
        schedule(.tick(id), at: deadline)
    }

    private mutating func schedule(_ action: Action, after duration: Duration) {
        schedule(action, at: now + duration)
    }

    // MARK: The event heap (earliest first, ties in scheduling order)

    private mutating func schedule(_ action: Action, at instant: SWIMInstant) {
        order += 1
        heap.append(Scheduled(at: instant, order: order, action: action))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popFirst() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var first = parent
            if left < heap.count, precedes(heap[left], heap[first]) { first = left }
            if right < heap.count, precedes(heap[right], heap[first]) { first = right }
            if first == parent { return }
            heap.swapAt(parent, first)
            parent = first
        }
    }

    private func precedes(_ a: Scheduled, _ b: Scheduled) -> Bool {
        a.at != b.at ? a.at < b.at : a.order < b.order
    }
}
