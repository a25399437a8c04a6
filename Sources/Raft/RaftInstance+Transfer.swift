extension RaftInstance {
    /// Hands leadership to `target` (thesis §3.10): stop taking proposals, bring the target's
    /// log up to date, then send it TimeoutNow so it campaigns at once.
    public mutating func transferLeadership(to target: RaftNodeID) -> LeadershipTransferOutcome {
        guard role == .leader else { return .notLeader(leaderHint: leader) }
        guard target != id, configuration.voters.contains(target), progress[target] != nil else {
            return .refused(.invalidTransferTarget)
        }
        if transferTarget == target { return .started }
        transferTarget = target
        transferElapsed = 0
        if progress[target]?.match == log.lastIndex {
            sendTimeoutNow(to: target)
        } else {
            sendAppends(to: target, allowEmpty: false)
        }
        return .started
    }

    mutating func sendTimeoutNow(to node: RaftNodeID) {
        send(RaftMessage(kind: .timeoutNow, from: id, to: node, term: term))
    }
}
