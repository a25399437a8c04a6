import ClusterModel

/// What the leader's deployment watcher saw last, so it creates an evaluation only when a
/// deployment moved. It is not replicated: a new leader starts empty and therefore looks at
/// every running deployment once (an evaluation each), which is what continues a roll-out the
/// old leader left mid-way.
struct DeploymentWatchMemory: Sendable {
    /// The leadership epoch the memory belongs to; another epoch starts afresh.
    var epoch = -1
    var progress: [DeploymentID: String] = [:]
}
