/// Infection-style dissemination: queued updates ride on every datagram, compounded up to the
/// packet budget, and a gossip round sends them on their own to a few random members.
extension SWIMInstance {
    /// Sends `payload` to `address` with as many queued updates as fit. `first` (the buddy
    /// system's suspicion) goes before them and does not count as a transmission.
    mutating func send(_ payload: SWIMPayload, to address: SWIMAddress, now: SWIMInstant,
                       into out: inout [SWIMDirective], first: SWIMGossip? = nil) {
        var entries: [SWIMGossip] = []
        var budget = settings.packetBudget - SWIMCodec.headerSize(of: payload)
        if let first {
            entries.append(first)
            budget -= SWIMCodec.encodedSize(of: first)
        }
        entries += queue.take(budget: budget, limit: settings.retransmitLimit(memberCount: activeMemberCount),
                              maximumCount: SWIMMessage.maximumGossipCount - entries.count)
        statistics.messagesSent += 1
        out.append(.send(SWIMMessage(sender: myself.id, payload: payload, gossip: entries), to: address))
    }

    mutating func gossipRound(now: SWIMInstant, into out: inout [SWIMDirective]) {
        guard !queue.isEmpty else { return }
        let targets = randomMembers(count: settings.gossipNodes, now: now, includeRecentlyDead: true)
        let limit = settings.retransmitLimit(memberCount: activeMemberCount)
        let budget = settings.packetBudget - SWIMCodec.headerSize(of: .gossip)
        for id in targets {
            guard let target = table[id] else { continue }
            let entries = queue.take(budget: budget, limit: limit, maximumCount: SWIMMessage.maximumGossipCount)
            if entries.isEmpty { break }
            statistics.messagesSent += 1
            out.append(.send(SWIMMessage(sender: myself.id, payload: .gossip, gossip: entries), to: target.address))
        }
    }
}
