/// Launches a batch job on a cron schedule.
public struct PeriodicConfig: Sendable, Hashable, Codable {
    /// Cron expressions (5 fields, or 6 with seconds); Nomad's `cron` and `crons`.
    public var specs: [String]
    public var prohibitOverlap: Bool
    public var timeZone: String
    public var enabled: Bool

    public init(specs: [String], prohibitOverlap: Bool = false, timeZone: String = "UTC", enabled: Bool = true) {
        self.specs = specs
        self.prohibitOverlap = prohibitOverlap
        self.timeZone = timeZone
        self.enabled = enabled
    }
}
