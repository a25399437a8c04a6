/// Failure detection: round-robin probes, indirect probes through k members, and Lifeguard's
/// local health.
extension SWIMInstance {
    mutating func nextSequence() -> UInt32 {
        sequence &+= 1
        return sequence
    }

    /// The next member of the round-robin order. Each pass visits every active member once, in
    /// a fresh random order; this bounds the time until any given member is probed by one pass
    /// (SWIM's "time-bounded completeness"), unlike a uniformly random choice.
    mutating func nextProbeTarget() -> SWIMNodeID? {
        for _ in 0..<2 {
            while probeCursor < probeOrder.count {
                let id = probeOrder[probeCursor]
                probeCursor += 1
                if let member = table[id], member.status.isActive { return id }
            }
            probeOrder = known.filter { table[$0]?.status.isActive == true }
            probeOrder.shuffle(using: &random)
            probeCursor = 0
            if probeOrder.isEmpty { return nil }
        }
        return nil
    }

    /// Puts a member that just appeared at a random place in the current pass.
    mutating func insertIntoProbeOrder(_ id: SWIMNodeID) {
        let position = Int.random(in: 0...probeOrder.count, using: &random)
        probeOrder.insert(id, at: position)
        if position < probeCursor { probeCursor += 1 }
    }

    mutating func startProbe(now: SWIMInstant, into out: inout [SWIMDirective]) {
        nextProbeAt = now + currentProbeInterval
        guard let targetID = nextProbeTarget(), let target = table[targetID] else { return }
        let sequence = nextSequence()
        probe = OutstandingProbe(sequence: sequence, target: targetID, phase: .direct,
                                 deadline: now + currentProbeTimeout)
        statistics.probesStarted += 1
        // Buddy system: a suspected member learns it at once from the next probe, and can
        // refute before its suspicion times out, instead of waiting for gossip to reach it.
        var buddy: SWIMGossip?
        if settings.lifeguard, target.status == .suspect {
            buddy = gossip(about: target, reporter: myself.id, withMetadata: false)
        }
        send(.ping(sequence: sequence, target: targetID), to: target.address, now: now, into: &out, first: buddy)
    }

    mutating func advanceProbe(now: SWIMInstant, into out: inout [SWIMDirective]) {
        guard var current = probe, now >= current.deadline else { return }
        guard let target = table[current.target], target.status.isActive else {
            probe = nil
            return
        }
        switch current.phase {
        case .direct:
            current.phase = .indirect
            current.deadline = now + currentProbeTimeout
            let relays = randomMembers(count: settings.indirectChecks, now: now, includeRecentlyDead: false,
                                       excluding: current.target)
            for relayID in relays {
                guard let relay = table[relayID] else { continue }
                send(.pingRequest(sequence: current.sequence, target: current.target, address: target.address,
                                  wantsNack: settings.lifeguard),
                     to: relay.address, now: now, into: &out)
                statistics.indirectProbesSent += 1
            }
            current.expectedNacks = settings.lifeguard ? relays.count : 0
            probe = current
            if settings.tcpFallback {
                out.append(.probeOverTCP(sequence: current.sequence, target: current.target,
                                         address: target.address, deadline: current.deadline))
            }
        case .indirect:
            // Lifeguard: a failed probe may be our own fault (we are slow, or cut off). When
            // relays were asked, their nacks tell: each missing nack lowers our confidence in
            // ourselves, while a full set of nacks shows that we hear the others fine, so the
            // target alone is at fault and we are not penalised (memberlist's rule; penalising
            // every failed probe would slow down every healthy member that notices a crash, and
            // with it the confirmations that declare the crash). Without relays to ask, the
            // failure itself is the only signal.
            let missingNacks = max(0, current.expectedNacks - current.nacks)
            failProbe(current, healthPenalty: current.expectedNacks > 0 ? missingNacks : 1, now: now, into: &out)
            // The probe took longer than an interval; start the next one promptly.
            nextProbeAt = min(nextProbeAt, now)
        }
    }

    /// Ends the outstanding probe as failed: the target becomes suspect.
    mutating func failProbe(_ current: OutstandingProbe, healthPenalty: Int, now: SWIMInstant, into out: inout [SWIMDirective]) {
        probe = nil
        statistics.probesFailed += 1
        adjustHealth(by: healthPenalty)
        guard let target = table[current.target], target.status.isActive else { return }
        suspect(current.target, incarnation: target.incarnation, reporter: myself.id, now: now, into: &out)
    }

    mutating func probeSucceeded(sequence: UInt32, countsForHealth: Bool, now: SWIMInstant) {
        guard let current = probe, current.sequence == sequence else { return }
        probe = nil
        if countsForHealth, current.phase == .direct { adjustHealth(by: -1) }
    }

    mutating func adjustHealth(by delta: Int) {
        guard settings.lifeguard else { return }
        localHealth = min(max(0, localHealth + delta), settings.awarenessMaxMultiplier - 1)
    }

    mutating func expireRelays(now: SWIMInstant, into out: inout [SWIMDirective]) {
        guard !relays.isEmpty else { return }
        for (sequence, relay) in relays where now >= relay.nackAt {
            relays[sequence] = nil
            if relay.wantsNack {
                send(.nack(sequence: relay.originSequence), to: relay.requester, now: now, into: &out)
            }
        }
    }

    /// Up to `count` distinct random members other than myself (and `excluded`) that are active,
    /// or recently dead when `includeRecentlyDead` (so a member wrongly declared dead still
    /// hears of it and refutes). Samples with rejection, falling back to a scan.
    mutating func randomMembers(count: Int, now: SWIMInstant, includeRecentlyDead: Bool,
                                excluding excluded: SWIMNodeID? = nil) -> [SWIMNodeID] {
        guard count > 0, !known.isEmpty else { return [] }
        func eligible(_ member: SWIMMember) -> Bool {
            if member.id == excluded { return false }
            if member.status.isActive { return true }
            return includeRecentlyDead && member.status == .dead && now - member.statusSince < settings.gossipToTheDeadTime
        }
        var chosen: [SWIMNodeID] = []
        var attempts = 0
        while chosen.count < count, attempts < 4 * count + 8 {
            attempts += 1
            let id = known[Int.random(in: 0..<known.count, using: &random)]
            if let member = table[id], eligible(member), !chosen.contains(id) { chosen.append(id) }
        }
        if chosen.count < count {
            var candidates = known.filter { id in table[id].map(eligible) == true && !chosen.contains(id) }
            candidates.shuffle(using: &random)
            chosen.append(contentsOf: candidates.prefix(count - chosen.count))
        }
        return chosen
    }
}
