/// How a job's allocations of one group stand, as `roost job status` shows it (Nomad's
/// task group summary).
public struct GroupSummary: Sendable, Hashable, Codable {
    /// Placements the last evaluation could not make.
    public var queued: Int
    /// Placed, not yet running (client status pending).
    public var starting: Int
    public var running: Int
    public var failed: Int
    public var complete: Int
    public var lost: Int

    public init(queued: Int = 0, starting: Int = 0, running: Int = 0, failed: Int = 0, complete: Int = 0, lost: Int = 0) {
        self.queued = queued
        self.starting = starting
        self.running = running
        self.failed = failed
        self.complete = complete
        self.lost = lost
    }
}
