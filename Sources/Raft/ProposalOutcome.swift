/// What became of a proposal (a command, a configuration change, a transfer, a read).
public enum ProposalOutcome: Sendable, Hashable {
    /// Appended to the leader's log at this index and term: it is applied once committed, and
    /// lost if a different entry turns up at that index.
    case accepted(index: UInt64, term: UInt64)
    /// Only the leader accepts; `leaderHint` is who this node believes leads (or `.none`).
    case notLeader(leaderHint: RaftNodeID)
    case refused(ProposalRefusal)
}

/// Why the leader refused a proposal it would otherwise take.
public enum ProposalRefusal: String, Sendable, Hashable, Codable {
    /// Leadership is being handed over: proposals would be lost with the old leader's term.
    case leadershipTransferInProgress
    /// A configuration change is appended but not committed yet (or this leader has not yet
    /// committed an entry of its own term); one change at a time.
    case configurationChangePending
    /// The change does not apply to the current configuration.
    case invalidConfigurationChange
    /// The transfer target is not a voter, or is this node.
    case invalidTransferTarget
}

/// What became of a `readIndex(context:)` request.
public enum ReadRequestOutcome: Sendable, Hashable {
    /// A `ReadState` with the same context will appear in a later `RaftReady`, unless
    /// leadership changes first (then the caller retries).
    case pending
    /// No leader is known to serve it.
    case noLeader
}
