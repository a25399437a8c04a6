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
}
