import ClusterModel

/// Hands evaluations to scheduler workers in the order `EvaluationQueue` decides, suspending
/// workers while nothing is ready and waking them when something is (including when a delayed
/// reschedule comes due).
actor EvaluationBroker {
    private var queue = EvaluationQueue()
    private var idleWorkers: [CheckedContinuation<Evaluation?, Never>] = []
    private var wakeupTimer: Task<Void, Never>?
    private var isShutDown = false
    private let clock: @Sendable () -> Timestamp

    init(clock: @escaping @Sendable () -> Timestamp) {
        self.clock = clock
    }

    func enqueue(_ evaluations: [Evaluation]) {
        for evaluation in evaluations { queue.enqueue(evaluation) }
        dispatch()
    }

    /// The next evaluation to schedule; nil once the broker is shut down.
    func next() async -> Evaluation? {
        if isShutDown { return nil }
        if let evaluation = queue.dequeue(now: clock()) { return evaluation }
        return await withCheckedContinuation { idleWorkers.append($0) }
    }

    func acknowledge(_ id: EvaluationID) {
        queue.acknowledge(id)
        dispatch()
    }

    /// Returns the evaluation when it has failed too often and must be marked failed.
    func negativelyAcknowledge(_ id: EvaluationID) -> Evaluation? {
        let givenUp = queue.negativelyAcknowledge(id)
        dispatch()
        return givenUp
    }

    /// Capacity changed; returns the evaluations that stopped being blocked so their new
    /// status can be recorded.
    func unblockAll() -> [Evaluation] {
        let released = queue.unblockAll()
        dispatch()
        return released
    }

    func dropBlocked(jobID: String) -> Evaluation? {
        queue.dropBlocked(jobID: jobID)
    }


    /// Starts over with `evaluations` (a new leader restoring the pending and blocked work from
    /// the replicated state, or a former leader dropping its queue with none).
    func reset(with evaluations: [Evaluation]) {
        queue = EvaluationQueue()
        for evaluation in evaluations { queue.enqueue(evaluation) }
        dispatch()
    }

    func shutDown() {
        isShutDown = true
        wakeupTimer?.cancel()
        for worker in idleWorkers { worker.resume(returning: nil) }
        idleWorkers.removeAll()
    }

    private func dispatch() {
        let now = clock()
        while !idleWorkers.isEmpty, let evaluation = queue.dequeue(now: now) {
            idleWorkers.removeFirst().resume(returning: evaluation)
        }
        scheduleWakeup(now: now)
    }

    /// Sleeps until the earliest delayed evaluation is due, then dispatches again. One timer at
    /// a time; it is replaced whenever the earliest due time may have changed.
    private func scheduleWakeup(now: Timestamp) {
        wakeupTimer?.cancel()
        wakeupTimer = nil
        guard !isShutDown, let due = queue.nextWakeup else { return }
        let delay = max(due - now, .milliseconds(1))
        wakeupTimer = Task { [weak self] in
            try? await Task.sleep(for: delay)
            guard !Task.isCancelled else { return }
            await self?.timerFired()
        }
    }

    private func timerFired() {
        dispatch()
    }
}
