import RoostCLI
import Scheduler

extension AgentPreemptionDefaults {
    /// The configuration a new cluster starts with: each switch the file set, the built-in
    /// default for the others.
    var schedulerConfiguration: SchedulerConfiguration {
        let defaults = PreemptionConfig()
        return SchedulerConfiguration(
            preemptionConfig: PreemptionConfig(
                systemSchedulerEnabled: systemSchedulerEnabled ?? defaults.systemSchedulerEnabled,
                sysBatchSchedulerEnabled: sysBatchSchedulerEnabled ?? defaults.sysBatchSchedulerEnabled,
                batchSchedulerEnabled: batchSchedulerEnabled ?? defaults.batchSchedulerEnabled,
                serviceSchedulerEnabled: serviceSchedulerEnabled ?? defaults.serviceSchedulerEnabled))
    }
}
