import ClusterModel

/// The read-only view of the cluster the scheduler works on. The scheduler defines it (rather
/// than depending on the store) so it stays a pure function of an immutable snapshot: the
/// manager passes a copy of the `StateStore`, tests pass a small in-memory fake.
public protocol SchedulerState {
    /// The job as currently registered, or nil when it was purged.
    func job(namespace: String, id: String) -> JobRecord?
    /// Every node the cluster knows, whatever its status.
    func allNodes() -> [Node]
    func node(id: NodeID) -> Node?
    /// Every allocation of a job, terminal ones included (the reconciler needs the history to
    /// count reschedule attempts and to leave completed batch work alone).
    func allocations(namespace: String, jobID: String) -> [Allocation]
    func allocations(onNode nodeID: NodeID) -> [Allocation]
    /// What the non-terminal allocations on a node hold. Stores keep this as a running tally so
    /// placing on a busy node does not rescan its allocations.
    func usage(onNode nodeID: NodeID) -> NodeUsage
    /// The job's newest deployment, whatever its status: rolling updates continue it (or
    /// replace it when the job has a newer version).
    func latestDeployment(namespace: String, jobID: String) -> Deployment?
    func deployment(id: DeploymentID) -> Deployment?
    /// The replicated scheduler configuration (preemption switches).
    func schedulerConfiguration() -> SchedulerConfiguration
}

extension SchedulerState {
    /// States without deployments (small test fakes) roll every change at once.
    public func latestDeployment(namespace: String, jobID: String) -> Deployment? { nil }
    public func deployment(id: DeploymentID) -> Deployment? { nil }
    /// States that keep no configuration schedule with the defaults.
    public func schedulerConfiguration() -> SchedulerConfiguration { SchedulerConfiguration() }

    /// Sums the node's allocations; conforming types with a tally should override this.
    public func usage(onNode nodeID: NodeID) -> NodeUsage {
        var usage = NodeUsage()
        for allocation in allocations(onNode: nodeID) { usage.add(allocation) }
        return usage
    }
}
