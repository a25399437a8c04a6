/// A task's life inside an allocation, as the worker reports it.
public struct TaskState: Sendable, Hashable, Codable {
    public var state: TaskLifecycleState
    /// Set when the task ended for good with a failure (exhausted restarts, driver failure).
    public var failed: Bool
    public var restarts: Int
    public var lastRestart: Timestamp?
    public var startedAt: Timestamp?
    public var finishedAt: Timestamp?
    /// The newest events, oldest first; bounded by `TaskState.maximumEvents`.
    public var events: [TaskEvent]
    /// The task's service checks as the worker last ran them (group-level checks appear on the
    /// task that provides their service); nil when the task has none. Bounded by
    /// `ServiceCheckStatus.maximumChecks` and `maximumOutputBytes`.
    public var checks: [ServiceCheckStatus]?

    public init(
        state: TaskLifecycleState = .pending, failed: Bool = false, restarts: Int = 0, lastRestart: Timestamp? = nil,
        startedAt: Timestamp? = nil, finishedAt: Timestamp? = nil, events: [TaskEvent] = [],
        checks: [ServiceCheckStatus]? = nil
    ) {
        self.state = state
        self.failed = failed
        self.restarts = restarts
        self.lastRestart = lastRestart
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.events = events
        self.checks = checks
    }

    /// Nomad keeps the last 10 events per task; a task that restarts forever must not grow
    /// its allocation without bound.
    public static let maximumEvents = 10

    public mutating func record(_ event: TaskEvent) {
        events.append(event)
        if events.count > Self.maximumEvents { events.removeFirst(events.count - Self.maximumEvents) }
    }
}

public enum TaskLifecycleState: String, Sendable, Hashable, Codable, CaseIterable {
    case pending
    case running
    case dead
}
