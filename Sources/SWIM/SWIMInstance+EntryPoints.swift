/// The entry points a shell calls. Each returns what the shell must do, in order.
extension SWIMInstance {
    /// Runs whatever is due at `now`: relays' nacks, the probe's phase changes, suspicion
    /// timeouts, the next probe, a gossip round, a push-pull, reaping of long-dead members.
    public mutating func onTick(now: SWIMInstant) -> [SWIMDirective] {
        var out: [SWIMDirective] = []
        expireRelays(now: now, into: &out)
        advanceProbe(now: now, into: &out)
        expireSuspicions(now: now, into: &out)
        syncWithUnknownSenders(now: now, into: &out)
        if probe == nil, !isLeaving, now >= nextProbeAt {
            startProbe(now: now, into: &out)
        }
        if now >= nextGossipAt {
            nextGossipAt = now + settings.gossipInterval
            gossipRound(now: now, into: &out)
        }
        if now >= nextPushPullAt {
            nextPushPullAt = now + settings.pushPullInterval
            if !isLeaving, let partner = randomMembers(count: 1, now: now, includeRecentlyDead: false).first,
               let member = table[partner] {
                out.append(.pushPull(with: member.address, localState: fullState(), isJoin: false))
            }
            if !isLeaving { reconnect(now: now, into: &out) }
        }
        if now >= nextReapAt {
            nextReapAt = now + settings.probeInterval
            reap(now: now)
        }
        return out
    }

    /// Handles one datagram received from `address`.
    public mutating func onMessage(_ message: SWIMMessage, from address: SWIMAddress, now: SWIMInstant) -> [SWIMDirective] {
        var out: [SWIMDirective] = []
        var corrections: [SWIMGossip] = []
        for entry in message.gossip.prefix(SWIMMessage.maximumGossipCount) {
            if let newer = correction(for: entry) { corrections.append(newer) }
            apply(entry, now: now, viaPushPull: false, into: &out)
        }
        if !corrections.isEmpty {
            // The sender still spreads a suspicion or death that was refuted: tell it directly,
            // so that a member the refutation happened to miss is put right before its own
            // suspicion times out, instead of at the next push-pull.
            statistics.messagesSent += 1
            out.append(.send(SWIMMessage(sender: myself.id, payload: .gossip, gossip: corrections), to: address))
        }
        noteSender(message.sender, at: address, now: now)
        switch message.payload {
        case .gossip:
            break
        case .ping(let sequence, let target):
            // A ping for someone else (an old owner of this address) gets no answer.
            if target == myself.id {
                send(.ack(sequence: sequence), to: address, now: now, into: &out)
            }
        case .pingRequest(let originSequence, let target, let targetAddress, let wantsNack):
            guard target != myself.id, relays.count < 1024 else { break }
            let sequence = nextSequence()
            relays[sequence] = Relay(originSequence: originSequence, requester: address,
                                     nackAt: now + settings.probeTimeout.swimScaled(by: 0.8), wantsNack: wantsNack)
            send(.ping(sequence: sequence, target: target), to: targetAddress, now: now, into: &out)
        case .ack(let sequence):
            if let relay = relays.removeValue(forKey: sequence) {
                send(.ack(sequence: relay.originSequence), to: relay.requester, now: now, into: &out)
            } else {
                probeSucceeded(sequence: sequence, countsForHealth: true, now: now)
            }
        case .nack(let sequence):
            if var current = probe, current.sequence == sequence, current.phase == .indirect {
                current.nacks += 1
                probe = current
                statistics.nacksReceived += 1
            }
        }
        return out
    }

    /// The outcome of a `probeOverTCP` directive. An acknowledgement ends the probe without a
    /// suspicion; it does not improve local health (UDP still failed). A refusal ends it at once
    /// with a suspicion, without waiting for the relays: the target's own host has answered that
    /// the member is not running, which no relay can contradict, and which shows that our side
    /// of the network works (so local health is not lowered). The suspicion still runs its full
    /// Lifeguard timeout, so a member that was only restarting has all that time to refute.
    public mutating func onTCPFallbackResult(sequence: UInt32, target: SWIMNodeID, outcome: SWIMFallbackOutcome,
                                             now: SWIMInstant) -> [SWIMDirective] {
        guard let current = probe, current.sequence == sequence, current.target == target else { return [] }
        var out: [SWIMDirective] = []
        switch outcome {
        case .acknowledged:
            probeSucceeded(sequence: sequence, countsForHealth: false, now: now)
        case .refused:
            statistics.probesRefused += 1
            failProbe(current, healthPenalty: 0, now: now, into: &out)
        case .noAnswer:
            break
        }
        return out
    }

    /// The shell learned that a datagram sent to `address` was refused (an ICMP "port
    /// unreachable" from the address's host). When that is the member being probed directly,
    /// waiting out the probe timeout would only delay the same conclusion, so the indirect phase
    /// (relays and the TCP fallback) starts now. Nothing else changes: a refusal alone never
    /// makes a member suspect, since ICMP is easily lost, delayed or forged.
    public mutating func onDatagramRefused(by address: SWIMAddress, now: SWIMInstant) -> [SWIMDirective] {
        guard var current = probe, current.phase == .direct, table[current.target]?.address == address else { return [] }
        statistics.datagramsRefused += 1
        current.deadline = now
        probe = current
        var out: [SWIMDirective] = []
        advanceProbe(now: now, into: &out)
        return out
    }

    /// Merges a full state received in a push-pull exchange, on either side: the side that was
    /// asked replies with its `fullState()` (taken before merging) and then merges what it got;
    /// the side that asked merges the reply. A member the remote believes dead is only suspected
    /// here, so that it gets a chance to refute.
    public mutating func onPushPull(_ remoteState: [SWIMGossip], now: SWIMInstant) -> [SWIMDirective] {
        var out: [SWIMDirective] = []
        for entry in remoteState.prefix(SWIMCodec.maximumStateMembers) {
            apply(entry, now: now, viaPushPull: true, into: &out)
        }
        return out
    }

    /// Asks the shell to exchange full state with each seed (over TCP); the replies, passed to
    /// `onPushPull`, bring in the whole cluster. The joiner also announces itself, as memberlist
    /// does: otherwise only the seeds spread the news, a few times each, and when many members
    /// join at once a member that none of those few transmissions reached would not hear of a
    /// newcomer until the next push-pull, up to `pushPullInterval` later.
    public mutating func join(seeds: [SWIMAddress], now: SWIMInstant) -> [SWIMDirective] {
        if !isLeaving { queue.enqueue(gossip(about: myself, reporter: myself.id, withMetadata: true)) }
        let state = fullState()
        return seeds.filter { $0 != myself.address }.map { .pushPull(with: $0, localState: state, isJoin: true) }
    }

    /// Leaves gracefully: announces `left` at a new incarnation and stops probing and refuting.
    /// The shell keeps ticking for a few gossip intervals so the news spreads, then stops.
    public mutating func leave(now: SWIMInstant) -> [SWIMDirective] {
        guard !isLeaving else { return [] }
        isLeaving = true
        myself.incarnation &+= 1
        myself.status = .left
        myself.statusSince = now
        probe = nil
        queue.enqueue(gossip(about: myself, reporter: myself.id, withMetadata: false))
        var out: [SWIMDirective] = []
        gossipRound(now: now, into: &out)
        return out
    }

    /// Announces new metadata under a new incarnation, which is what makes it replace the old
    /// metadata everywhere.
    public mutating func updateMetadata(_ metadata: SWIMMetadata, now: SWIMInstant) throws(SWIMCodecError) -> [SWIMDirective] {
        try metadata.validate()
        guard !isLeaving, metadata != myself.metadata else { return [] }
        myself.metadata = metadata
        myself.incarnation &+= 1
        queue.enqueue(gossip(about: myself, reporter: myself.id, withMetadata: true))
        return []
    }
}
