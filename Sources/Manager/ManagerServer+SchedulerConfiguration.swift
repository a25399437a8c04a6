import Scheduler
import StateStore

extension ManagerServer {
    /// The scheduler configuration in force (the defaults until an operator sets one), as of
    /// the leader's latest commit.
    public func schedulerConfiguration() async throws(ManagerError) -> SchedulerConfiguration {
        try await snapshot(stale: false).schedulerConfiguration()
    }

    /// Replaces the scheduler configuration through Raft, so every manager schedules by it from
    /// the same log index on. Returns that index.
    public func setSchedulerConfiguration(_ configuration: SchedulerConfiguration) async throws(ManagerError) -> UInt64 {
        try await submit(.setSchedulerConfiguration(configuration)).index
    }

    /// Stores the agent's `default_scheduler_config` when the cluster has no configuration yet
    /// (a new cluster): called by each new leader, and at start without Raft. Once one is
    /// stored, by this or by an operator, the agent's default no longer matters.
    func applyInitialSchedulerConfigurationIfNeeded() async {
        guard leads, let initial = settings.initialSchedulerConfiguration else { return }
        guard await state.snapshot.schedulerConfiguration().createIndex == 0 else { return }
        _ = try? await submit(.setSchedulerConfiguration(initial))
    }
}
