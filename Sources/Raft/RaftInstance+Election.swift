extension RaftInstance {
    // MARK: - Role changes

    mutating func becomeFollower(term newTerm: UInt64, leader newLeader: RaftNodeID) {
        if newTerm > term {
            term = newTerm
            vote = .none
        }
        if role == .leader { abandonLeadership() }
        role = .follower
        leader = newLeader
        electionElapsed = 0
        votes = [:]
        resetRandomizedElectionTimeout()
    }

    /// A leader stepping down forgets its followers; reads it had not confirmed are refused so
    /// that followers that forwarded them can retry elsewhere.
    mutating func abandonLeadership() {
        for read in pendingReads + readsAwaitingCommit where read.requester != id {
            send(RaftMessage(kind: .readIndexResponse, from: id, to: read.requester, term: term, reject: true, context: read.context))
        }
        pendingReads = []
        readsAwaitingCommit = []
        progress = [:]
        transferTarget = .none
        commitToBroadcast = false
    }

    mutating func startCampaign(isLeadershipTransfer: Bool) {
        guard isPromotable else { return }
        if settings.preVote && !isLeadershipTransfer {
            role = .preCandidate
            leader = .none
        } else {
            term += 1
            vote = id
            role = .candidate
            leader = .none
        }
        electionElapsed = 0
        resetRandomizedElectionTimeout()
        votes = [id: true]
        let kind: RaftMessage.Kind = role == .preCandidate ? .requestPreVote : .requestVote
        let campaignTerm = role == .preCandidate ? term + 1 : term
        for voter in configuration.voters.sorted() where voter != id {
            send(RaftMessage(
                kind: kind, from: id, to: voter, term: campaignTerm, index: log.lastIndex, logTerm: log.lastTerm,
                isLeadershipTransfer: isLeadershipTransfer))
        }
        tallyVotes()
    }

    mutating func tallyVotes() {
        var granted = 0
        var rejected = 0
        for (node, granting) in votes where configuration.voters.contains(node) {
            if granting { granted += 1 } else { rejected += 1 }
        }
        if granted >= quorum {
            if role == .preCandidate {
                // A won pre-vote leads to the real election (no pre-vote again).
                becomeCandidateAfterPreVote()
            } else if role == .candidate {
                becomeLeader()
            }
        } else if rejected >= quorum {
            becomeFollower(term: term, leader: .none)
        }
    }

    /// The real election after a won pre-vote.
    mutating func becomeCandidateAfterPreVote() {
        term += 1
        vote = id
        role = .candidate
        leader = .none
        votes = [id: true]
        for voter in configuration.voters.sorted() where voter != id {
            send(RaftMessage(kind: .requestVote, from: id, to: voter, term: term, index: log.lastIndex, logTerm: log.lastTerm))
        }
        tallyVotes()
    }

    mutating func becomeLeader() {
        role = .leader
        leader = id
        votes = [:]
        electionElapsed = 0
        heartbeatElapsed = 0
        transferTarget = .none
        progress = [:]
        for member in configuration.members where member != id {
            progress[member] = FollowerProgress(next: log.lastIndex + 1)
        }
        // An empty entry of the new term: committing it commits everything before it (§5.4.2),
        // and no configuration change is accepted until it is committed.
        let entry = LogEntry(term: term, index: log.lastIndex + 1, kind: .empty)
        log.append(entry)
        pendingConfigurationIndex = entry.index
    }

    // MARK: - Votes

    /// Grants a vote (or pre-vote) to a candidate whose log is at least as up to date, if this
    /// node has not voted for someone else in that term (§5.2, §5.4.1).
    mutating func handleVoteRequest(_ message: RaftMessage) {
        let isPreVote = message.kind == .requestPreVote
        let canVote = vote == message.from
            || (vote == .none && leader == .none)
            || (isPreVote && message.term > term)
        let responseKind: RaftMessage.Kind = isPreVote ? .requestPreVoteResponse : .requestVoteResponse
        if canVote && log.isUpToDate(lastIndex: message.index, lastTerm: message.logTerm) {
            send(RaftMessage(kind: responseKind, from: id, to: message.from, term: message.term))
            if !isPreVote {
                vote = message.from
                electionElapsed = 0
            }
        } else {
            send(RaftMessage(kind: responseKind, from: id, to: message.from, term: term, reject: true))
        }
    }

    mutating func handleVoteResponse(_ message: RaftMessage) {
        let expected: RaftMessage.Kind = role == .preCandidate ? .requestPreVoteResponse : .requestVoteResponse
        guard message.kind == expected, role == .preCandidate || role == .candidate else { return }
        guard configuration.voters.contains(message.from) else { return }
        votes[message.from] = !message.reject
        tallyVotes()
    }
}
