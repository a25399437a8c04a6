import SWIM

/// Builders and accessors shared by the unit tests.
enum Fixture {
    static func address(_ id: UInt64) -> SWIMAddress { SimulatedCluster.address(of: SWIMNodeID(id)) }

    static func alive(_ id: UInt64, incarnation: UInt64 = 0, metadata: SWIMMetadata? = SWIMMetadata()) -> SWIMGossip {
        SWIMGossip(status: .alive, member: SWIMNodeID(id), incarnation: incarnation, address: address(id),
                   metadata: metadata, reporter: SWIMNodeID(id))
    }

    static func fact(_ status: SWIMMemberStatus, _ id: UInt64, incarnation: UInt64, reporter: UInt64) -> SWIMGossip {
        SWIMGossip(status: status, member: SWIMNodeID(id), incarnation: incarnation, address: address(id),
                   metadata: status == .alive ? SWIMMetadata() : nil, reporter: SWIMNodeID(reporter))
    }

    /// Member 1, knowing members 2 ... others+1 as alive.
    static func instance(others: Int, settings: SWIMSettings = .lanFast, seed: UInt64 = 1) -> SWIMInstance {
        var instance = try! SWIMInstance(id: SWIMNodeID(1), address: address(1), settings: settings, seed: seed, now: .zero)
        _ = instance.onPushPull((2..<(UInt64(others) + 2)).map { alive($0) }, now: .zero)
        return instance
    }

    /// Member `id`, knowing nobody yet.
    static func loner(_ id: UInt64, settings: SWIMSettings = .lanFast) -> SWIMInstance {
        try! SWIMInstance(id: SWIMNodeID(id), address: address(id), settings: settings, seed: id, now: .zero)
    }

    /// A message from member `id` carrying `gossip`.
    static func gossip(_ entries: [SWIMGossip], from id: UInt64 = 99) -> SWIMMessage {
        SWIMMessage(sender: SWIMNodeID(id), payload: .gossip, gossip: entries)
    }
}

extension Array where Element == SWIMDirective {
    var sent: [(message: SWIMMessage, to: SWIMAddress)] {
        compactMap { if case .send(let message, let to) = $0 { (message, to) } else { nil } }
    }

    var events: [SWIMEvent] {
        compactMap { if case .event(let event) = $0 { event } else { nil } }
    }

    var pings: [(sequence: UInt32, target: SWIMNodeID, to: SWIMAddress, message: SWIMMessage)] {
        sent.compactMap {
            if case .ping(let sequence, let target) = $0.message.payload { (sequence, target, $0.to, $0.message) } else { nil }
        }
    }

    var pingRequests: [(sequence: UInt32, target: SWIMNodeID, to: SWIMAddress, wantsNack: Bool)] {
        sent.compactMap {
            if case .pingRequest(let sequence, let target, _, let wantsNack) = $0.message.payload {
                (sequence, target, $0.to, wantsNack)
            } else { nil }
        }
    }
}

/// Drives one instance through time by its own deadlines.
struct Driver {
    var instance: SWIMInstance
    var now = SWIMInstant.zero

    /// Ticks at each deadline until a tick sends a ping (the start of a probe).
    mutating func tickUntilPing(limit: Int = 1000) -> (sequence: UInt32, target: SWIMNodeID, directives: [SWIMDirective])? {
        for _ in 0..<limit {
            now = max(now, instance.nextDeadline)
            let directives = instance.onTick(now: now)
            if let ping = directives.pings.first { return (ping.sequence, ping.target, directives) }
        }
        return nil
    }

    struct NoProbe: Error {}

    /// `tickUntilPing`, failing the test when no probe starts.
    mutating func nextPing() throws -> (sequence: UInt32, target: SWIMNodeID, directives: [SWIMDirective]) {
        guard let ping = tickUntilPing() else { throw NoProbe() }
        return ping
    }

    /// Ticks at each deadline up to `end`, collecting what the instance does.
    mutating func tick(until end: SWIMInstant) -> [SWIMDirective] {
        var all: [SWIMDirective] = []
        while instance.nextDeadline <= end {
            now = max(now, instance.nextDeadline)
            all += instance.onTick(now: now)
        }
        now = end
        return all
    }

    mutating func receive(_ message: SWIMMessage, from id: UInt64) -> [SWIMDirective] {
        instance.onMessage(message, from: Fixture.address(id), now: now)
    }

    mutating func ack(_ sequence: UInt32, from id: UInt64) -> [SWIMDirective] {
        receive(SWIMMessage(sender: SWIMNodeID(id), payload: .ack(sequence: sequence)), from: id)
    }
}
