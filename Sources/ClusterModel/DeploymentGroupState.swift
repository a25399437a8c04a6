/// How far one task group of a deployment got. The counts are kept by the state store as
/// plans and health reports are applied (never computed by a reader), so every manager shows
/// the same numbers and the watcher compares them cheaply.
public struct DeploymentGroupState: Sendable, Hashable, Codable {
    public var autoRevert: Bool
    public var autoPromote: Bool
    /// Canaries were promoted (by the operator or `auto_promote`); the rest may roll.
    public var promoted: Bool
    /// The group's count when the deployment was made (Nomad shows it as "Desired").
    public var desiredTotal: Int
    public var desiredCanaries: Int
    /// The canaries placed so far.
    public var placedCanaries: [AllocationID]
    /// Allocations this deployment placed (canaries included).
    public var placedAllocations: Int
    public var healthyAllocations: Int
    public var unhealthyAllocations: Int
    /// How long the group may go without a new healthy allocation; zero disables the check.
    public var progressDeadline: Duration
    /// The instant by which the next allocation must be healthy, or the deployment fails.
    public var requireProgressBy: Timestamp

    public init(
        autoRevert: Bool = false, autoPromote: Bool = false, promoted: Bool = false, desiredTotal: Int = 0,
        desiredCanaries: Int = 0, placedCanaries: [AllocationID] = [], placedAllocations: Int = 0,
        healthyAllocations: Int = 0, unhealthyAllocations: Int = 0, progressDeadline: Duration = .zero,
        requireProgressBy: Timestamp = .zero
    ) {
        self.autoRevert = autoRevert
        self.autoPromote = autoPromote
        self.promoted = promoted
        self.desiredTotal = desiredTotal
        self.desiredCanaries = desiredCanaries
        self.placedCanaries = placedCanaries
        self.placedAllocations = placedAllocations
        self.healthyAllocations = healthyAllocations
        self.unhealthyAllocations = unhealthyAllocations
        self.progressDeadline = progressDeadline
        self.requireProgressBy = requireProgressBy
    }

    enum CodingKeys: String, CodingKey {
        case autoRevert, autoPromote, promoted, desiredTotal, desiredCanaries, placedCanaries, placedAllocations
        case healthyAllocations, unhealthyAllocations, progressDeadline, requireProgressBy
    }

    /// The deadline is written as integer nanoseconds, as Nomad's API writes durations.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        autoRevert = try container.decode(Bool.self, forKey: .autoRevert)
        autoPromote = try container.decode(Bool.self, forKey: .autoPromote)
        promoted = try container.decode(Bool.self, forKey: .promoted)
        desiredTotal = try container.decode(Int.self, forKey: .desiredTotal)
        desiredCanaries = try container.decode(Int.self, forKey: .desiredCanaries)
        placedCanaries = try container.decodeIfPresent([AllocationID].self, forKey: .placedCanaries) ?? []
        placedAllocations = try container.decode(Int.self, forKey: .placedAllocations)
        healthyAllocations = try container.decode(Int.self, forKey: .healthyAllocations)
        unhealthyAllocations = try container.decode(Int.self, forKey: .unhealthyAllocations)
        progressDeadline = .nanoseconds(try container.decode(Int64.self, forKey: .progressDeadline))
        requireProgressBy = try container.decode(Timestamp.self, forKey: .requireProgressBy)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(autoRevert, forKey: .autoRevert)
        try container.encode(autoPromote, forKey: .autoPromote)
        try container.encode(promoted, forKey: .promoted)
        try container.encode(desiredTotal, forKey: .desiredTotal)
        try container.encode(desiredCanaries, forKey: .desiredCanaries)
        try container.encode(placedCanaries, forKey: .placedCanaries)
        try container.encode(placedAllocations, forKey: .placedAllocations)
        try container.encode(healthyAllocations, forKey: .healthyAllocations)
        try container.encode(unhealthyAllocations, forKey: .unhealthyAllocations)
        try container.encode(progressDeadline.totalNanoseconds, forKey: .progressDeadline)
        try container.encode(requireProgressBy, forKey: .requireProgressBy)
    }
}
