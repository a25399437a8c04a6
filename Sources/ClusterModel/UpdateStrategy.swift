/// How a new version of a service job replaces running allocations (rolling, canaries).
public struct UpdateStrategy: Sendable, Hashable, Codable {
    public enum HealthCheck: String, Sendable, Hashable, Codable, CaseIterable {
        case checks
        case taskStates = "task_states"
        case manual
    }

    public var stagger: Duration
    /// 0 disables rolling updates for the group.
    public var maxParallel: Int
    public var healthCheck: HealthCheck
    public var minHealthyTime: Duration
    public var healthyDeadline: Duration
    public var progressDeadline: Duration
    public var autoRevert: Bool
    public var autoPromote: Bool
    public var canary: Int

    public init(
        stagger: Duration = .seconds(30), maxParallel: Int = 1, healthCheck: HealthCheck = .checks,
        minHealthyTime: Duration = .seconds(10), healthyDeadline: Duration = .seconds(300),
        progressDeadline: Duration = .seconds(600), autoRevert: Bool = false, autoPromote: Bool = false,
        canary: Int = 0
    ) {
        self.stagger = stagger
        self.maxParallel = maxParallel
        self.healthCheck = healthCheck
        self.minHealthyTime = minHealthyTime
        self.healthyDeadline = healthyDeadline
        self.progressDeadline = progressDeadline
        self.autoRevert = autoRevert
        self.autoPromote = autoPromote
        self.canary = canary
    }

    /// Nomad's defaults (applied to service jobs only).
    public static let defaults = UpdateStrategy()
}
