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
}
