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

    /// A datagram from a member we have never heard of means news of it may have missed us:
    /// its join was gossiped a bounded number of times, and every copy may have gone elsewhere
    /// (lost, or while we were cut off). Remember the sender; if it is still unknown two probe
    /// intervals later, when the news would normally have arrived (`syncWithUnknownSenders`),
    /// exchange state with it rather than wait for the next periodic push-pull (30 s on a LAN).
    /// Bounded in senders, so a flood of forged senders (which could not be sealed with the
    /// cluster key anyway) cannot turn into a flood of exchanges.
    mutating func noteSender(_ sender: SWIMNodeID, at address: SWIMAddress, now: SWIMInstant) {
        guard sender != myself.id, table[sender] == nil, !isLeaving, unknownSenders[sender] == nil,
              unknownSenders.count < 64 else { return }
        unknownSenders[sender] = UnknownSender(address: address, firstSeen: now)
    }

    /// Exchanges state once with each sender still unknown after two probe intervals, and
    /// forgets it ten intervals later (so that a later silence of news can ask again).
    mutating func syncWithUnknownSenders(now: SWIMInstant, into out: inout [SWIMDirective]) {
        guard !unknownSenders.isEmpty else { return }
        for (id, sender) in unknownSenders.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            if table[id] != nil || isLeaving {
                unknownSenders[id] = nil
            } else if let synced = sender.syncedAt {
                if now - synced >= settings.probeInterval * 10 { unknownSenders[id] = nil }
            } else if now - sender.firstSeen >= settings.probeInterval * 2 {
                unknownSenders[id]?.syncedAt = now
                statistics.unknownSenderSyncs += 1
                out.append(.pushPull(with: sender.address, localState: fullState(), isJoin: false))
            }
        }
    }
}
