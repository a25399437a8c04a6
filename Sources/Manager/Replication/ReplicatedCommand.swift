import Raft
import StateStore

/// What a manager's Raft log carries: the cluster state's commands, plus the few that concern
/// the managers themselves. Encoded as JSON in the log (readable when debugging a log, and
/// versioned by Codable's tolerance of new optional fields).
public enum ReplicatedCommand: Sendable, Hashable, Codable {
    case state(StateCommand)
    /// A manager announces (or updates) how to reach it.
    case upsertServer(ServerEntry)
    /// A manager left the Raft configuration; forget its addresses.
    case removeServer(RaftNodeID)
    /// An operator's `snapshot restore`: every manager replaces its state at the same index.
    case restoreState(StateSnapshot)
    /// The cluster identity: created by the first leader, then join-token rotations,
    /// certificate serials and revocations.
    case clusterIdentity(ClusterIdentityCommand)
    /// A dispatch of a parameterized job: the child job and its evaluation, applied only if
    /// the parent still accepts the dispatch at this index.
    case dispatchJob(JobDispatchCommand)
    /// The leader launched a periodic job: registers the child (with its evaluation) and
    /// records the launch for the parent, atomically (see `PeriodicLaunch`).
    case periodicLaunch(PeriodicLaunch)
}

/// The answer to one replicated command, as the applying manager sends it back to the one
/// that proposed (or forwarded) it.
public enum ReplicatedResult: Sendable, Hashable, Codable {
    case applied(ApplyOutcome)
    case refused(StateError)

    var asResult: Result<ApplyOutcome, StateError> {
        switch self {
        case .applied(let outcome): .success(outcome)
        case .refused(let error): .failure(error)
        }
    }

    init(_ result: Result<ApplyOutcome, StateError>) {
        switch result {
        case .success(let outcome): self = .applied(outcome)
        case .failure(let error): self = .refused(error)
        }
    }
}
