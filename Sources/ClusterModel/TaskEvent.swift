/// Something that happened to a task, shown by `roost alloc status` in time order
/// ("Started", "Terminated: exit code 1", "Restarting in 15s", "OOM Killed"…).
public struct TaskEvent: Sendable, Hashable, Codable {
    public var kind: TaskEventKind
    public var time: Timestamp
    /// A sentence for people: what happened and, for failures, why.
    public var message: String
    public var exitCode: Int?
    public var signal: Int?
    public var oomKilled: Bool
    /// For `.restarting`: how long until the next start.
    public var restartDelay: Duration?
    /// Whether this event made the whole task fail (as opposed to a restartable exit).
    public var failsTask: Bool

    /// `kind` is Nomad's `Type`; spelled out so the API's key mapping stays one-to-one.
    enum CodingKeys: String, CodingKey {
        case kind = "type", time, message, exitCode, signal, oomKilled, restartDelay, failsTask
    }

    /// The delay is written as integer nanoseconds, as Nomad's API writes durations.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(TaskEventKind.self, forKey: .kind)
        time = try container.decode(Timestamp.self, forKey: .time)
        message = try container.decode(String.self, forKey: .message)
        exitCode = try container.decodeIfPresent(Int.self, forKey: .exitCode)
        signal = try container.decodeIfPresent(Int.self, forKey: .signal)
        oomKilled = try container.decode(Bool.self, forKey: .oomKilled)
        restartDelay = try container.decodeIfPresent(Int64.self, forKey: .restartDelay).map { .nanoseconds($0) }
        failsTask = try container.decode(Bool.self, forKey: .failsTask)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(time, forKey: .time)
        try container.encode(message, forKey: .message)
        try container.encodeIfPresent(exitCode, forKey: .exitCode)
        try container.encodeIfPresent(signal, forKey: .signal)
        try container.encode(oomKilled, forKey: .oomKilled)
        try container.encodeIfPresent(restartDelay?.totalNanoseconds, forKey: .restartDelay)
        try container.encode(failsTask, forKey: .failsTask)
    }

    public init(
        kind: TaskEventKind, time: Timestamp, message: String = "", exitCode: Int? = nil, signal: Int? = nil,
        oomKilled: Bool = false, restartDelay: Duration? = nil, failsTask: Bool = false
    ) {
        self.kind = kind
        self.time = time
        self.message = message
        self.exitCode = exitCode
        self.signal = signal
        self.oomKilled = oomKilled
        self.restartDelay = restartDelay
        self.failsTask = failsTask
    }
}

/// The event types, with the display names Nomad uses so its users recognise them.
public enum TaskEventKind: String, Sendable, Hashable, Codable, CaseIterable {
    case received = "Received"
    case setup = "Task Setup"
    case started = "Started"
    case terminated = "Terminated"
    case restarting = "Restarting"
    case notRestarting = "Not Restarting"
    case killing = "Killing"
    case killed = "Killed"
    case driverFailure = "Driver Failure"
    case setupFailure = "Setup Failure"
    case siblingFailed = "Sibling Task Failed"
    case oomKilled = "OOM Killed"
    /// A service check stayed unhealthy past its `check_restart` limit: the task is restarted
    /// (counted against its `restart` policy).
    case restartSignaled = "Restart Signaled"
    /// Something the task driver did or had to fall back on while starting the task, worth
    /// the operator's eye but not a failure (an image from the node's cache because the
    /// registry could not be reached).
    case driver = "Driver"
}
