/// `server { default_scheduler_config { preemption_config { … } } }`: the preemption switches a
/// new cluster starts with, as in Nomad's server configuration. A switch left out keeps the
/// built-in default (system on, the others off). Only a cluster with no stored scheduler
/// configuration takes them; after that, `roost operator scheduler set-config` decides.
public struct AgentPreemptionDefaults: Sendable, Hashable {
    public var systemSchedulerEnabled: Bool?
    public var sysBatchSchedulerEnabled: Bool?
    public var batchSchedulerEnabled: Bool?
    public var serviceSchedulerEnabled: Bool?

    public init() {}
}
