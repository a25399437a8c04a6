/// How allocations leave a draining node.
public struct MigrateStrategy: Sendable, Hashable, Codable {
    public var maxParallel: Int
    public var healthCheck: UpdateStrategy.HealthCheck
    public var minHealthyTime: Duration
    public var healthyDeadline: Duration

    public init(
        maxParallel: Int = 1, healthCheck: UpdateStrategy.HealthCheck = .checks,
        minHealthyTime: Duration = .seconds(10), healthyDeadline: Duration = .seconds(300)
    ) {
        self.maxParallel = maxParallel
        self.healthCheck = healthCheck
        self.minHealthyTime = minHealthyTime
        self.healthyDeadline = healthyDeadline
    }

    /// Nomad's defaults (applied to service jobs only).
    public static let defaults = MigrateStrategy()
}
