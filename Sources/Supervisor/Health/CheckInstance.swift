import ClusterModel
import Supervision

/// One check's life as a pure state machine: when it is due, whether its probe timed out,
/// what its status is after each result, and when its failures call for a restart. Times come
/// in as arguments, so tests drive hours of probing with a simulated clock.
struct CheckInstance: Sendable {
    let definition: CheckDefinition
    private(set) var status: ServiceCheckHealth
    private(set) var output = ""
    /// When the status or output last changed (what users see; see `ServiceCheckStatus.since`).
    private(set) var since: Timestamp?
    /// When the check's task (or, for a group check, all main tasks) started running; nil
    /// while it does not run, and the check is idle.
    private(set) var activeSince: Timestamp?
    private(set) var nextProbeAt: Timestamp?
    /// The probe under way: its attempt number, and when it counts as timed out.
    private(set) var inFlight: (attempt: UInt64, deadline: Timestamp)?
    private var attempts: UInt64 = 0
    private var successesInARow = 0
    private var failuresInARow = 0
    /// Unhealthy results in a row after the grace period, for `check_restart`.
    private(set) var restartFailures = 0
    /// Set once a restart was asked for; the check stays idle until its task starts again.
    private(set) var restartPending = false

    init(definition: CheckDefinition) {
        self.definition = definition
        self.status = definition.initialStatus
    }

    /// What the check asks of its shell at `now`.
    enum Step: Sendable, Hashable {
        case probe(attempt: UInt64)
        /// The probe did not answer within the timeout; its result is recorded as critical.
        case timedOut
    }

    /// The check's task started (or restarted): the check begins again from its initial
    /// status and probes at once. Nomad registers the service at task start with its initial
    /// status; probing immediately keeps a healthy deployment from waiting a whole interval.
    /// `since` is when the task started; grace periods count from it.
    mutating func activate(since: Timestamp, now: Timestamp) {
        reset()
        activeSince = since
        nextProbeAt = now
    }

    /// The task stopped running: the check goes idle and forgets its results.
    mutating func deactivate() {
        guard activeSince != nil else { return }
        reset()
        activeSince = nil
        nextProbeAt = nil
    }

    private mutating func reset() {
        inFlight = nil
        status = definition.initialStatus
        output = ""
        since = nil
        successesInARow = 0
        failuresInARow = 0
        restartFailures = 0
        restartPending = false
    }

    /// The next instant something is due (a probe to start, a probe to time out).
    var nextWakeup: Timestamp? {
        if let inFlight { return inFlight.deadline }
        return nextProbeAt
    }

    /// Advances to `now`: starts a due probe or times out the one under way.
    mutating func step(now: Timestamp) -> Step? {
        guard activeSince != nil, !restartPending else { return nil }
        if let current = inFlight {
            guard now >= current.deadline else { return nil }
            return .timedOut
        }
        guard let due = nextProbeAt, now >= due else { return nil }
        attempts &+= 1
        inFlight = (attempts, now + definition.timeout)
        // The next run is due one interval after this one started (not after it ended), so a
        // slow check does not drift; `record` moves it to `now` if the probe overran.
        nextProbeAt = now + definition.interval
        return .probe(attempt: attempts)
    }

    /// Whether `attempt` is the probe under way (a late answer to a timed-out probe is not).
    func isCurrent(_ attempt: UInt64) -> Bool { inFlight?.attempt == attempt }

    /// Records the result of the probe under way. Returns true when the check's
    /// `check_restart` limit was reached: the shell restarts the task.
    mutating func record(_ outcome: CheckOutcome, now: Timestamp) -> Bool {
        guard inFlight != nil else { return false }
        inFlight = nil
        if let due = nextProbeAt, due < now { nextProbeAt = now }
        let before = (status, output)
        output = ServiceCheckStatus.bounded(outcome.output)
        defer { if before != (status, output) || since == nil { since = now } }
        if outcome.status == .passing {
            successesInARow = min(successesInARow + 1, Int.max - 1)
            failuresInARow = 0
            if successesInARow >= max(definition.successBeforePassing, 1) { status = .passing }
        } else {
            failuresInARow = min(failuresInARow + 1, Int.max - 1)
            successesInARow = 0
            if failuresInARow >= max(definition.failuresBeforeCritical, 1) { status = outcome.status }
        }
        return countForRestart(now: now)
    }

    /// The probe under way took longer than the timeout.
    mutating func recordTimeout(now: Timestamp) -> Bool {
        record(CheckOutcome(.critical, "timed out after \(DurationText.format(definition.timeout))"), now: now)
    }

    private mutating func countForRestart(now: Timestamp) -> Bool {
        guard let restart = definition.restart, let since = activeSince else { return false }
        // Results during the grace period after a (re)start do not count: a task may take a
        // while to listen.
        guard now >= since + restart.grace else { return false }
        let unhealthy = status == .critical || (status == .warning && !restart.ignoreWarnings)
        guard unhealthy else {
            restartFailures = 0
            return false
        }
        restartFailures += 1
        guard restartFailures >= restart.limit else { return false }
        restartFailures = 0
        restartPending = true
        inFlight = nil
        return true
    }

    /// What users see of the check.
    var publicStatus: ServiceCheckStatus {
        ServiceCheckStatus(
            name: definition.name, serviceName: definition.serviceName, type: definition.type, status: status,
            output: output, since: since)
    }

    /// Whether the check counts as healthy for the allocation's deployment.
    var meetsRequirement: Bool {
        switch definition.requirement {
        case .ignored: true
        case .passingOrWarning: status == .passing || status == .warning
        case .passing: status == .passing
        }
    }
}
