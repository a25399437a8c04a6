/// `roost operator scheduler`: the cluster-wide scheduler configuration (preemption).
enum OperatorSchedulerCommand: Command {
    static let name = "scheduler"
    static let abstract = "Show or change the scheduler configuration (which job types may preempt lower-priority work)."
    static var subcommands: [any Command.Type] { [OperatorSchedulerGetConfigCommand.self, OperatorSchedulerSetConfigCommand.self] }

    /// The switches, as `GET /v1/operator/scheduler/configuration` returns them. The CLI keeps
    /// its own copy of the shape so it depends on the API's JSON, not on the scheduler.
    struct Reply: Codable {
        var schedulerConfig: Configuration
        var index: UInt64?
    }

    struct Configuration: Codable {
        var preemptionConfig: Preemption
        var createIndex: UInt64?
        var modifyIndex: UInt64?
    }

    struct Preemption: Codable, Equatable {
        var systemSchedulerEnabled: Bool
        var sysBatchSchedulerEnabled: Bool
        var batchSchedulerEnabled: Bool
        var serviceSchedulerEnabled: Bool
    }

    /// The flag of `set-config` and the label of `get-config` for each switch.
    static var switches: [(flag: String, label: String, keyPath: WritableKeyPath<Preemption, Bool>)] {
        [
        ("preempt-system-scheduler", "System Scheduler", \.systemSchedulerEnabled),
        ("preempt-sysbatch-scheduler", "SysBatch Scheduler", \.sysBatchSchedulerEnabled),
        ("preempt-batch-scheduler", "Batch Scheduler", \.batchSchedulerEnabled),
        ("preempt-service-scheduler", "Service Scheduler", \.serviceSchedulerEnabled),
        ]
    }

    static func describe(_ preemption: Preemption) -> String {
        var fields = Table("Field", "Value")
        for item in switches { fields.append(["Preemption \(item.label) Enabled", String(preemption[keyPath: item.keyPath])]) }
        return JobStatusCommand.fieldLines(fields)
    }
}
