extension RaftInstance {
    /// Handles one message from the network. Anything may arrive — stale, duplicated,
    /// reordered, from strangers, with indexes past the end — and none of it traps: what cannot
    /// be used is dropped (or answered so that the sender learns the current term).
    public mutating func step(_ message: RaftMessage) {
        guard message.to == id, message.from != id, message.from != .none else { return }
        // No real cluster gets anywhere near this term; a bigger one is garbage, and accepting
        // it would leave no room to campaign.
        guard message.term < RaftInstance.maximumTerm else { return }
        if message.term > term {
            if message.kind == .requestVote || message.kind == .requestPreVote {
                // Check-quorum lease: while a leader is heard from, nobody may depose it, so a
                // node that was cut off cannot disrupt the cluster when it returns. A transfer
                // the leader itself asked for is the exception.
                let inLease = settings.checkQuorum && leader != .none && electionElapsed < settings.electionTimeoutTicks
                if inLease && !message.isLeadershipTransfer { return }
            }
            switch message.kind {
            case .requestPreVote:
                break  // A pre-vote changes nobody's term.
            case .requestPreVoteResponse where !message.reject:
                break  // A granted pre-vote carries the term the candidate would use.
            case .appendEntries, .heartbeat, .installSnapshot:
                becomeFollower(term: message.term, leader: message.from)
            default:
                becomeFollower(term: message.term, leader: .none)
            }
        } else if message.term < term {
            switch message.kind {
            case .appendEntries, .heartbeat, .installSnapshot:
                // A leader of an older term: tell it the current term so that it steps down.
                send(RaftMessage(kind: .appendEntriesResponse, from: id, to: message.from, term: term))
            case .requestPreVote:
                send(RaftMessage(kind: .requestPreVoteResponse, from: id, to: message.from, term: term, reject: true))
            default:
                break
            }
            return
        }

        switch message.kind {
        case .requestVote, .requestPreVote:
            handleVoteRequest(message)
        case .requestVoteResponse, .requestPreVoteResponse:
            handleVoteResponse(message)
        case .appendEntries, .heartbeat, .installSnapshot:
            guard role != .leader else { return }  // Two leaders in one term cannot happen.
            if role != .follower { becomeFollower(term: term, leader: message.from) }
            leader = message.from
            electionElapsed = 0
            switch message.kind {
            case .appendEntries: handleAppendEntries(message)
            case .heartbeat: handleHeartbeat(message)
            default: handleSnapshotChunk(message)
            }
        case .appendEntriesResponse:
            handleAppendEntriesResponse(message)
        case .heartbeatResponse:
            handleHeartbeatResponse(message)
        case .installSnapshotResponse:
            handleSnapshotResponse(message)
        case .timeoutNow:
            // The leader hands over: campaign at once, without pre-vote (its followers would
            // refuse a pre-vote while they still hear from it).
            if role != .leader && isPromotable { startCampaign(isLeadershipTransfer: true) }
        case .readIndex:
            handleForwardedRead(message)
        case .readIndexResponse:
            if !message.reject && message.from == leader {
                readStates.append(ReadState(index: message.index, context: message.context))
            }
        }
    }
}
