import ClusterModel
import Foundation
@testable import Manager
import Scheduler
import StateStore
import Testing

/// The agent's `default_scheduler_config` is what a new cluster starts with, and only that: an
/// operator's later choice is never overwritten by it.
@Suite struct InitialSchedulerConfigurationTests {
    static func waitForStoredConfiguration(_ manager: ManagerServer) async throws -> SchedulerConfiguration {
        let state = try await ManagerServerTests.state(of: manager, "a stored scheduler configuration") {
            $0.schedulerConfiguration().createIndex > 0
        }
        return state.schedulerConfiguration()
    }

    @Test func aNewClusterStartsWithTheAgentsDefaultAndKeepsTheOperatorsLaterChoice() async throws {
        var initial = SchedulerConfiguration()
        initial.preemptionConfig.serviceSchedulerEnabled = true
        let manager = ManagerServer(settings: ManagerSettings(initialSchedulerConfiguration: initial), clock: ManagerServerTests.clock)
        await manager.start()
        let stored = try await Self.waitForStoredConfiguration(manager)
        #expect(stored.preemptionConfig.serviceSchedulerEnabled)
        #expect(stored.preemptionConfig.systemSchedulerEnabled, "switches the agent did not set keep their defaults")

        var chosen = stored
        chosen.preemptionConfig.serviceSchedulerEnabled = false
        _ = try await manager.setSchedulerConfiguration(chosen)
        // What a new leader does: the cluster has a configuration, so the agent's default is ignored.
        await manager.applyInitialSchedulerConfigurationIfNeeded()
        #expect(await manager.snapshot().schedulerConfiguration().preemptionConfig.serviceSchedulerEnabled == false)
        await manager.shutDown()
    }

    @Test func withoutAnAgentDefaultNothingIsStoredAndTheBuiltInDefaultsApply() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        await manager.start()
        await manager.applyInitialSchedulerConfigurationIfNeeded()
        let configuration = await manager.snapshot().schedulerConfiguration()
        #expect(configuration.createIndex == 0)
        #expect(configuration.preemptionConfig == PreemptionConfig())
        await manager.shutDown()
    }
}
