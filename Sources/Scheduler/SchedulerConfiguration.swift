import ClusterModel

/// The cluster-wide scheduler settings operators change at run time (`roost operator scheduler
/// set-config`, `PUT /v1/operator/scheduler/configuration`). They are replicated state, not
/// agent configuration, so every manager schedules by the same rules and a leader change does
/// not switch preemption on or off. The scheduler reads them from its `SchedulerState`.
public struct SchedulerConfiguration: Sendable, Hashable, Codable {
    /// Which scheduler types may stop lower-priority work to place higher-priority work.
    public var preemptionConfig: PreemptionConfig
    /// The Raft index that first stored a configuration, and the one that last changed it
    /// (both 0 while the defaults are in force).
    public var createIndex: UInt64
    public var modifyIndex: UInt64

    public init(preemptionConfig: PreemptionConfig = PreemptionConfig(), createIndex: UInt64 = 0, modifyIndex: UInt64 = 0) {
        self.preemptionConfig = preemptionConfig
        self.createIndex = createIndex
        self.modifyIndex = modifyIndex
    }

    enum CodingKeys: String, CodingKey {
        case preemptionConfig, createIndex, modifyIndex
    }

    /// A body that leaves a field out keeps that field's default, so `{"PreemptionConfig":
    /// {"ServiceSchedulerEnabled": true}}` does not silently turn system preemption off.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        preemptionConfig = try container.decodeIfPresent(PreemptionConfig.self, forKey: .preemptionConfig) ?? PreemptionConfig()
        createIndex = try container.decodeIfPresent(UInt64.self, forKey: .createIndex) ?? 0
        modifyIndex = try container.decodeIfPresent(UInt64.self, forKey: .modifyIndex) ?? 0
    }

    /// Whether an evaluation of a job of `type` may preempt.
    public func preemptionEnabled(for type: JobType) -> Bool {
        switch type {
        case .service: preemptionConfig.serviceSchedulerEnabled
        case .batch: preemptionConfig.batchSchedulerEnabled
        case .system: preemptionConfig.systemSchedulerEnabled
        case .sysbatch: preemptionConfig.sysBatchSchedulerEnabled
        }
    }
}
