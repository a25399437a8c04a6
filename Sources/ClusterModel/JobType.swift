/// What the scheduler promises for a job: keep it running (`service`), run it to completion
/// (`batch`), or do either on every eligible node (`system`, `sysbatch`).
public enum JobType: String, Sendable, Hashable, Codable, CaseIterable {
    case service
    case batch
    case system
    case sysbatch
}
