import API
@testable import RoostCLI
import Testing

/// `roost deployment allocation-health` and `roost operator scheduler`: what is caught before
/// a request reaches an agent, and how the preemption switches are shown.
@Suite struct SchedulerAndManualHealthCommandTests {
    @Test func allocationHealthNeedsADeploymentAndAtLeastOneVerdict() async {
        let none = await roost("deployment", "allocation-health")
        #expect(none.status == 64 && none.errors.contains("takes exactly one DEPLOYMENT"), "\(none.errors)")
        let empty = await roost("deployment", "allocation-health", "0b1c2d3e")
        #expect(empty.status == 64 && empty.errors.contains("-healthy ALLOC or -unhealthy ALLOC"), "\(empty.errors)")
        let help = await roost("deployment", "--help")
        #expect(help.output.contains("  allocation-health "))
    }

    @Test func setConfigNeedsASwitchToChange() async {
        let run = await roost("operator", "scheduler", "set-config")
        #expect(run.status == 64 && run.errors.contains("-preempt-service-scheduler=true"), "\(run.errors)")
        let help = await roost("operator", "scheduler", "set-config", "--help")
        #expect(help.output.contains("-preempt-batch-scheduler") && help.output.contains("-preempt-sysbatch-scheduler"))
    }

    @Test func theSchedulerConfigurationIsShownOneSwitchPerLine() {
        let text = OperatorSchedulerCommand.describe(
            .init(systemSchedulerEnabled: true, sysBatchSchedulerEnabled: false, batchSchedulerEnabled: false, serviceSchedulerEnabled: true))
        #expect(text.contains("Preemption System Scheduler Enabled   = true"), "\(text)")
        #expect(text.contains("Preemption Service Scheduler Enabled  = true"), "\(text)")
        #expect(text.contains("Preemption Batch Scheduler Enabled    = false"), "\(text)")
    }

    @Test func theAgentsConfigurationAnswerIsReadAsTheAPIDocumentsIt() throws {
        let json = #"{"Index":12,"SchedulerConfig":{"CreateIndex":12,"ModifyIndex":12,"PreemptionConfig":{"BatchSchedulerEnabled":false,"ServiceSchedulerEnabled":true,"SysBatchSchedulerEnabled":true,"SystemSchedulerEnabled":false}}}"#
        let reply = try APIJSON.decode(OperatorSchedulerCommand.Reply.self, from: Array(json.utf8))
        #expect(reply.schedulerConfig.preemptionConfig == .init(
            systemSchedulerEnabled: false, sysBatchSchedulerEnabled: true, batchSchedulerEnabled: false, serviceSchedulerEnabled: true))
        let body = String(decoding: try APIJSON.encode(OperatorSchedulerCommand.Configuration(preemptionConfig: reply.schedulerConfig.preemptionConfig)), as: UTF8.self)
        #expect(body == #"{"PreemptionConfig":{"BatchSchedulerEnabled":false,"ServiceSchedulerEnabled":true,"SysBatchSchedulerEnabled":true,"SystemSchedulerEnabled":false}}"#)
    }
}
