import ClusterModel

/// The evaluation broker's bookkeeping, kept free of clocks and threads so its ordering rules
/// can be tested exactly: which evaluation a scheduler worker gets next, which wait.
///
/// Rules (the ones Nomad users rely on):
/// - Higher priority first, then older (lower create index) first.
/// - At most one evaluation per job is being scheduled at a time; the others of that job wait
///   their turn, so two plans for one job never race each other.
/// - An evaluation with `waitUntil` (a delayed reschedule) is not handed out before then.
/// - A blocked evaluation (a group that did not fit) waits for capacity: `unblockAll` returns it
///   to the ready queue when a node joins or allocations free resources. One per job is kept.
/// - An evaluation handed out and not acknowledged may be handed out again (`nack`) up to
///   `maximumDeliveries` times; then it is given up as failed.
struct EvaluationQueue: Sendable {
    static let maximumDeliveries = 3

    private var ready: [Evaluation] = []
    private var delayed: [Evaluation] = []
    private var waitingBehindJob: [String: [Evaluation]] = [:]
    private var inFlight: [EvaluationID: Evaluation] = [:]
    private var jobsInFlight: Set<String> = []
    private var blockedByJob: [String: Evaluation] = [:]
    private var deliveries: [EvaluationID: Int] = [:]
    /// Evaluations being scheduled when capacity changed: their plan was made on a state from
    /// before, so if it blocks them again they are retried at once instead of waiting for a
    /// change that already happened.
    private var inFlightAtCapacityChange: Set<EvaluationID> = []
    private var known: Set<EvaluationID> = []

    var readyCount: Int { ready.count }
    var delayedCount: Int { delayed.count }
    var inFlightCount: Int { inFlight.count }
    var blockedCount: Int { blockedByJob.count }

    /// Adds a pending or blocked evaluation; one already known is ignored (a replayed command).
    mutating func enqueue(_ evaluation: Evaluation) {
        // A blocked evaluation retried that still does not fit comes back blocked from its own
        // plan while it is in flight: it must wait for capacity again, not be dropped.
        let reblocked = evaluation.status == .blocked && inFlight[evaluation.id] != nil
        guard !known.contains(evaluation.id) || reblocked else { return }
        switch evaluation.status {
        case .blocked:
            known.insert(evaluation.id)
            // A newer blocked evaluation of the same job supersedes the older one.
            if let older = blockedByJob[evaluation.jobID] { known.remove(older.id) }
            blockedByJob[evaluation.jobID] = evaluation
        case .pending:
            known.insert(evaluation.id)
            if evaluation.waitUntil != nil {
                delayed.append(evaluation)
            } else {
                admit(evaluation)
            }
        case .complete, .failed, .canceled:
            return
        }
    }

    /// The next evaluation to schedule, marked in flight; nil when nothing is ready at `now`.
    mutating func dequeue(now: Timestamp) -> Evaluation? {
        promoteDelayed(now: now)
        guard let position = ready.indices.min(by: { Self.comesFirst(ready[$0], ready[$1]) }) else { return nil }
        let evaluation = ready.remove(at: position)
        inFlight[evaluation.id] = evaluation
        jobsInFlight.insert(evaluation.jobID)
        deliveries[evaluation.id, default: 0] += 1
        return evaluation
    }

    /// When the earliest delayed evaluation becomes ready, so the shell can sleep until then.
    var nextWakeup: Timestamp? {
        delayed.compactMap(\.waitUntil).min()
    }

    /// The evaluation was scheduled and its plan committed: the job's next evaluation may go.
    mutating func acknowledge(_ id: EvaluationID) {
        guard let evaluation = inFlight.removeValue(forKey: id) else { return }
        deliveries[id] = nil
        known.remove(id)
        release(job: evaluation.jobID)
        if inFlightAtCapacityChange.remove(id) != nil, var blocked = blockedByJob[evaluation.jobID], blocked.id == id {
            blockedByJob[evaluation.jobID] = nil
            blocked.status = .pending
            enqueue(blocked)
        }
    }

    /// Scheduling failed (e.g. the plan was rejected too often); the evaluation goes back to
    /// the queue, unless it was delivered `maximumDeliveries` times: then it is returned so the
    /// caller can mark it failed.
    mutating func negativelyAcknowledge(_ id: EvaluationID) -> Evaluation? {
        guard let evaluation = inFlight.removeValue(forKey: id) else { return nil }
        inFlightAtCapacityChange.remove(id)
        jobsInFlight.remove(evaluation.jobID)
        if deliveries[id, default: 0] >= Self.maximumDeliveries {
            deliveries[id] = nil
            known.remove(id)
            release(job: evaluation.jobID)
            return evaluation
        }
        ready.append(evaluation)
        return nil
    }

    /// Capacity changed: every blocked evaluation becomes pending and is returned, so the
    /// caller can record the new status in the state.
    mutating func unblockAll() -> [Evaluation] {
        let unblocked = blockedByJob.values.sorted { $0.createIndex < $1.createIndex }
        blockedByJob.removeAll()
        inFlightAtCapacityChange.formUnion(inFlight.keys)
        var released: [Evaluation] = []
        for var evaluation in unblocked {
            known.remove(evaluation.id)
            evaluation.status = .pending
            enqueue(evaluation)
            released.append(evaluation)
        }
        return released
    }

    /// The job was stopped or purged: its blocked evaluation no longer matters.
    mutating func dropBlocked(jobID: String) -> Evaluation? {
        guard let evaluation = blockedByJob.removeValue(forKey: jobID) else { return nil }
        known.remove(evaluation.id)
        return evaluation
    }

    private mutating func admit(_ evaluation: Evaluation) {
        if jobsInFlight.contains(evaluation.jobID) || ready.contains(where: { $0.jobID == evaluation.jobID }) {
            waitingBehindJob[evaluation.jobID, default: []].append(evaluation)
        } else {
            ready.append(evaluation)
        }
    }

    private mutating func release(job jobID: String) {
        jobsInFlight.remove(jobID)
        guard var waiting = waitingBehindJob[jobID], !waiting.isEmpty else { return }
        let next = waiting.removeFirst()
        waitingBehindJob[jobID] = waiting.isEmpty ? nil : waiting
        ready.append(next)
    }

    private mutating func promoteDelayed(now: Timestamp) {
        guard !delayed.isEmpty else { return }
        var stillDelayed: [Evaluation] = []
        for evaluation in delayed {
            if let waitUntil = evaluation.waitUntil, waitUntil > now {
                stillDelayed.append(evaluation)
            } else {
                admit(evaluation)
            }
        }
        delayed = stillDelayed
    }

    private static func comesFirst(_ lhs: Evaluation, _ rhs: Evaluation) -> Bool {
        if lhs.priority != rhs.priority { return lhs.priority > rhs.priority }
        if lhs.createIndex != rhs.createIndex { return lhs.createIndex < rhs.createIndex }
        return lhs.id < rhs.id
    }
}
