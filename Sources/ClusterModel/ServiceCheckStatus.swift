/// One service check of a task as its worker last ran it. It travels with the task's state so
/// that `roost alloc status` can show why a deployment calls an allocation unhealthy without
/// asking the worker.
public struct ServiceCheckStatus: Sendable, Hashable, Codable {
    /// The check's name (`check { name = … }`, or the one the jobspec derived).
    public var name: String
    /// The service the check belongs to.
    public var serviceName: String
    /// `http`, `tcp` or `script` (others are reported critical as unsupported).
    public var type: String
    public var status: ServiceCheckHealth
    /// What the last run said: the HTTP status and the start of the body, a connect error, a
    /// script's output. At most `maximumOutputBytes`.
    public var output: String
    /// When the check's status or output last changed; nil before its first run. Not the time
    /// of every run: results travel through Raft, so a steady check must not write each interval.
    public var since: Timestamp?

    public init(
        name: String, serviceName: String, type: String, status: ServiceCheckHealth, output: String = "",
        since: Timestamp? = nil
    ) {
        self.name = name
        self.serviceName = serviceName
        self.type = type
        self.status = status
        self.output = Self.bounded(output)
        self.since = since
    }

    /// A check's output is kept short: it is replicated through Raft with every report.
    public static let maximumOutputBytes = 512
    /// The most checks kept per task, so a job with thousands of checks cannot bloat its allocations.
    public static let maximumChecks = 32

    /// `text` cut to at most `maximumOutputBytes` of UTF-8, at a character boundary.
    public static func bounded(_ text: String) -> String {
        guard text.utf8.count > maximumOutputBytes else { return text }
        var result = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            if used + size > maximumOutputBytes - 3 { break }
            result.append(character)
            used += size
        }
        return result + "..."
    }
}

/// A check's health, in the words Consul and Nomad use.
public enum ServiceCheckHealth: String, Sendable, Hashable, Codable, CaseIterable {
    /// Not run yet since its task (re)started, and no `initial_status` given.
    case pending
    case passing
    case warning
    case critical
}
