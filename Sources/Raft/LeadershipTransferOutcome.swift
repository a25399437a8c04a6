/// What became of a `transferLeadership(to:)` request.
public enum LeadershipTransferOutcome: Sendable, Hashable {
    /// The target is being caught up and will be told to campaign; the transfer is abandoned
    /// after an election timeout if it has not happened.
    case started
    case notLeader(leaderHint: RaftNodeID)
    case refused(ProposalRefusal)
}
