/// Preemption switched per scheduler type. The defaults are Nomad's: system jobs may preempt
/// (a node agent such as a log shipper must run everywhere), service, batch and sysbatch jobs
/// may not until an operator decides that stopping lower-priority work is acceptable.
public struct PreemptionConfig: Sendable, Hashable, Codable {
    public var systemSchedulerEnabled: Bool
    public var sysBatchSchedulerEnabled: Bool
    public var batchSchedulerEnabled: Bool
    public var serviceSchedulerEnabled: Bool

    public init(
        systemSchedulerEnabled: Bool = true, sysBatchSchedulerEnabled: Bool = false,
        batchSchedulerEnabled: Bool = false, serviceSchedulerEnabled: Bool = false
    ) {
        self.systemSchedulerEnabled = systemSchedulerEnabled
        self.sysBatchSchedulerEnabled = sysBatchSchedulerEnabled
        self.batchSchedulerEnabled = batchSchedulerEnabled
        self.serviceSchedulerEnabled = serviceSchedulerEnabled
    }

    enum CodingKeys: String, CodingKey {
        case systemSchedulerEnabled, sysBatchSchedulerEnabled, batchSchedulerEnabled, serviceSchedulerEnabled
    }

    /// A missing switch keeps its default rather than failing the whole request.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = PreemptionConfig()
        systemSchedulerEnabled = try container.decodeIfPresent(Bool.self, forKey: .systemSchedulerEnabled) ?? defaults.systemSchedulerEnabled
        sysBatchSchedulerEnabled = try container.decodeIfPresent(Bool.self, forKey: .sysBatchSchedulerEnabled) ?? defaults.sysBatchSchedulerEnabled
        batchSchedulerEnabled = try container.decodeIfPresent(Bool.self, forKey: .batchSchedulerEnabled) ?? defaults.batchSchedulerEnabled
        serviceSchedulerEnabled = try container.decodeIfPresent(Bool.self, forKey: .serviceSchedulerEnabled) ?? defaults.serviceSchedulerEnabled
    }
}
