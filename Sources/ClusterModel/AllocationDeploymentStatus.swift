/// What a worker found about an allocation's health for the deployment that placed it: the
/// input the deployment watcher on the leader counts (Nomad's `DeploymentStatus`).
///
/// The worker decides health per the group's `update` block: with `health_check =
/// "task_states"` every task must be running (batch-like lifecycle tasks: finished
/// successfully) for `min_healthy_time`; with `"checks"` additionally every service check of
/// the allocation must pass for that long. Not healthy by `healthy_deadline` (or a task
/// failing) makes it unhealthy. `healthy` stays nil until one of those happened.
public struct AllocationDeploymentStatus: Sendable, Hashable, Codable {
    public var healthy: Bool?
    /// When `healthy` was decided.
    public var timestamp: Timestamp
    /// Placed as a canary of its deployment.
    public var canary: Bool
    /// Why it is unhealthy, in words a user can act on ("check \"http\" failing: HTTP 500").
    public var description: String

    public init(healthy: Bool? = nil, timestamp: Timestamp = .zero, canary: Bool = false, description: String = "") {
        self.healthy = healthy
        self.timestamp = timestamp
        self.canary = canary
        self.description = description
    }
}
