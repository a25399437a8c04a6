/// How a worker restarts a failed task in place before giving the allocation up as failed.
public struct RestartPolicy: Sendable, Hashable, Codable {
    public enum Mode: String, Sendable, Hashable, Codable, CaseIterable {
        /// Give up once `attempts` restarts happened within `interval`.
        case fail
        /// Wait until `interval` has passed and start counting again.
        case delay
    }

    public var attempts: Int
    public var interval: Duration
    public var delay: Duration
    public var mode: Mode
    public var renderTemplates: Bool

    public init(attempts: Int, interval: Duration, delay: Duration, mode: Mode, renderTemplates: Bool = false) {
        self.attempts = attempts
        self.interval = interval
        self.delay = delay
        self.mode = mode
        self.renderTemplates = renderTemplates
    }

    /// Nomad's defaults: services get 2 attempts in 30 minutes, batch jobs 3 in 24 hours,
    /// both with a 15 s delay and mode `fail`.
    public static func defaults(for type: JobType) -> RestartPolicy {
        switch type {
        case .service, .system:
            RestartPolicy(attempts: 2, interval: .seconds(30 * 60), delay: .seconds(15), mode: .fail)
        case .batch, .sysbatch:
            RestartPolicy(attempts: 3, interval: .seconds(24 * 3600), delay: .seconds(15), mode: .fail)
        }
    }
}
