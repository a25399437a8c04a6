/// The membership table: merging gossip and full state, suspicion and its timeouts,
/// refutation, and reaping.
extension SWIMInstance {
    /// Stores a member, keeping the active count and the sampling array in step.
    mutating func store(_ member: SWIMMember) {
        let old = table.updateValue(member, forKey: member.id)
        if old?.status.isActive == true { activeOthers -= 1 }
        if member.status.isActive { activeOthers += 1 }
        if old == nil {
            knownIndex[member.id] = known.count
            known.append(member.id)
        }
    }

    mutating func remove(_ id: SWIMNodeID) {
        guard let old = table.removeValue(forKey: id), let index = knownIndex.removeValue(forKey: id) else { return }
        if old.status.isActive { activeOthers -= 1 }
        let last = known.removeLast()
        if index < known.count {
            known[index] = last
            knownIndex[last] = index
        }
        suspicions[id] = nil
    }

    /// Merges one fact. Higher incarnations win; at an equal incarnation the stronger state
    /// wins (left > dead > suspect > alive). Facts about myself are answered, not stored.
    mutating func apply(_ fact: SWIMGossip, now: SWIMInstant, viaPushPull: Bool, into out: inout [SWIMDirective]) {
        if fact.member == myself.id {
            answer(fact, now: now)
            return
        }
        guard fact.address.host.utf8.count <= SWIMAddress.maximumHostLength else { return }
        var status = fact.status
        // A remote verdict of death, from anti-entropy, could be stale: suspect instead and let
        // the member refute.
        if viaPushPull && status == .dead { status = .suspect }

        guard var member = table[fact.member] else {
            guard status == .alive else { return }
            let member = SWIMMember(id: fact.member, address: fact.address, status: .alive,
                                    incarnation: fact.incarnation, metadata: fact.metadata ?? SWIMMetadata(),
                                    statusSince: now)
            store(member)
            insertIntoProbeOrder(member.id)
            queue.enqueue(gossip(about: member, reporter: fact.reporter, withMetadata: true))
            out.append(.event(.joined(member)))
            return
        }
        let previous = member.status
        switch status {
        case .alive:
            guard fact.incarnation > member.incarnation else { return }
            let metadataChanged = fact.metadata.map { $0 != member.metadata } ?? false
            member.incarnation = fact.incarnation
            member.address = fact.address
            if let metadata = fact.metadata { member.metadata = metadata }
            member.status = .alive
            if previous != .alive { member.statusSince = now }
            suspicions[member.id] = nil
            store(member)
            queue.enqueue(gossip(about: member, reporter: fact.reporter, withMetadata: true))
            switch previous {
            case .suspect: out.append(.event(.alive(member)))
            case .dead, .left:
                insertIntoProbeOrder(member.id)
                out.append(.event(.joined(member)))
            case .alive: if metadataChanged { out.append(.event(.updated(member))) }
            }
        case .suspect:
            if fact.incarnation < member.incarnation { return }
            if previous == .suspect, fact.incarnation == member.incarnation {
                confirm(member.id, by: fact.reporter, fact: fact, now: now)
                return
            }
            if !previous.isActive, fact.incarnation == member.incarnation { return }
            suspect(member.id, incarnation: fact.incarnation, reporter: fact.reporter, now: now, into: &out)
        case .dead, .left:
            if fact.incarnation < member.incarnation { return }
            if fact.incarnation == member.incarnation, previous >= status { return }
            member.incarnation = fact.incarnation
            member.status = status
            member.statusSince = now
            suspicions[member.id] = nil
            store(member)
            queue.enqueue(gossip(about: member, reporter: fact.reporter, withMetadata: false))
            if previous.isActive || status == .left {
                out.append(.event(status == .left ? .left(member) : .failed(member)))
            }
        }
    }

    /// What to tell a sender whose suspicion or death of a member is outdated (the member has
    /// since refuted it with a higher incarnation that this instance knows). Nil otherwise.
    func correction(for fact: SWIMGossip) -> SWIMGossip? {
        guard fact.status == .suspect || fact.status == .dead, let known = member(fact.member),
              known.incarnation > fact.incarnation, known.status.isActive else { return nil }
        return gossip(about: known, reporter: myself.id, withMetadata: true)
    }

    /// A fact about myself: a suspicion or death at my incarnation (or a newer one, which only
    /// a stale copy of me could have issued) is refuted with a higher incarnation.
    mutating func answer(_ fact: SWIMGossip, now: SWIMInstant) {
        guard !isLeaving else { return }
        switch fact.status {
        case .alive:
            if fact.incarnation > myself.incarnation { refute(above: fact.incarnation) }
        case .suspect, .dead, .left:
            guard fact.incarnation >= myself.incarnation else { return }
            refute(above: fact.incarnation)
            // Lifeguard: being suspected hints that we have been slow to answer.
            adjustHealth(by: 1)
        }
    }

    mutating func refute(above incarnation: UInt64) {
        myself.incarnation = incarnation &+ 1
        statistics.refutations += 1
        queue.enqueue(gossip(about: myself, reporter: myself.id, withMetadata: true))
    }

    /// Starts suspecting a member, or counts `reporter` as confirming an existing suspicion.
    mutating func suspect(_ id: SWIMNodeID, incarnation: UInt64, reporter: SWIMNodeID, now: SWIMInstant,
                          into out: inout [SWIMDirective]) {
        guard var member = table[id] else { return }
        if member.status == .suspect, member.incarnation == incarnation {
            confirm(id, by: reporter, fact: gossip(about: member, reporter: reporter, withMetadata: false), now: now)
            return
        }
        let wasActive = member.status.isActive
        member.status = .suspect
        member.incarnation = incarnation
        member.statusSince = now
        store(member)
        if !wasActive { insertIntoProbeOrder(id) }
        let n = activeMemberCount
        let expected = settings.lifeguard ? settings.expectedConfirmations(memberCount: n) : 0
        suspicions[id] = Suspicion(incarnation: incarnation, startedAt: now, suspectors: [reporter],
                                   expectedConfirmations: expected,
                                   deadline: now + settings.suspicionTimeout(memberCount: n, confirmations: 0,
                                                                             expected: expected))
        queue.enqueue(gossip(about: member, reporter: reporter, withMetadata: false))
        out.append(.event(.suspect(member)))
    }

    /// Lifeguard: each distinct suspector shortens the timeout (log decay from max to min), and
    /// is passed on so that others can count it too.
    mutating func confirm(_ id: SWIMNodeID, by reporter: SWIMNodeID, fact: SWIMGossip, now: SWIMInstant) {
        guard var suspicion = suspicions[id], suspicion.suspectors.count <= suspicion.expectedConfirmations,
              suspicion.suspectors.insert(reporter).inserted else { return }
        if settings.lifeguard {
            let timeout = settings.suspicionTimeout(memberCount: activeMemberCount,
                                                    confirmations: suspicion.confirmations,
                                                    expected: suspicion.expectedConfirmations)
            suspicion.deadline = suspicion.startedAt + timeout
        }
        suspicions[id] = suspicion
        queue.enqueue(fact)
    }

    mutating func expireSuspicions(now: SWIMInstant, into out: inout [SWIMDirective]) {
        guard !suspicions.isEmpty else { return }
        for (id, suspicion) in suspicions where now >= suspicion.deadline {
            suspicions[id] = nil
            guard var member = table[id], member.status == .suspect else { continue }
            member.status = .dead
            member.statusSince = now
            store(member)
            queue.enqueue(gossip(about: member, reporter: myself.id, withMetadata: false))
            out.append(.event(.failed(member)))
        }
    }

    /// Tries a push-pull with one failed member, with a probability that grows with the share
    /// of failed members. Without this, two sides of a healed partition, each believing the
    /// other dead, would never talk again: nothing probes or gossips to the long dead. (Serf
    /// does the same above memberlist; here it is part of the core so the simulation covers it.)
    mutating func reconnect(now: SWIMInstant, into out: inout [SWIMDirective]) {
        let failed = known.filter { table[$0]?.status == .dead }
        guard !failed.isEmpty else { return }
        let chance = Double(failed.count) / Double(activeMemberCount)
        guard Double.random(in: 0..<1, using: &random) < chance,
              let id = failed.randomElement(using: &random), let member = table[id] else { return }
        out.append(.pushPull(with: member.address, localState: fullState(), isJoin: false))
    }

    /// Forgets members that failed or left longer ago than `deadMemberRetention`.
    mutating func reap(now: SWIMInstant) {
        for member in table.values where !member.status.isActive {
            if now - member.statusSince >= settings.deadMemberRetention { remove(member.id) }
        }
    }
}
