import ClusterModel
import Foundation
import Scheduler
import StateStore
import Testing

/// The scheduler configuration is replicated state: one command sets it, with its indexes, and
/// a snapshot (what a lagging follower or a restore gets) carries it.
@Suite struct SchedulerConfigurationStateTests {
    @Test func aStoreWithoutAConfigurationSchedulesWithTheDefaults() {
        let defaults = StateStore().schedulerConfiguration()
        #expect(defaults.preemptionEnabled(for: .system))
        #expect(!defaults.preemptionEnabled(for: .service) && !defaults.preemptionEnabled(for: .batch) && !defaults.preemptionEnabled(for: .sysbatch))
    }

    @Test func theConfigurationIsSetByOneCommandAndSurvivesASnapshotRoundTrip() throws {
        var store = StateStore()
        var configuration = SchedulerConfiguration()
        configuration.preemptionConfig.serviceSchedulerEnabled = true
        configuration.preemptionConfig.systemSchedulerEnabled = false
        _ = try store.apply(.setSchedulerConfiguration(configuration), index: 5).get()
        _ = try store.apply(.setSchedulerConfiguration(configuration), index: 9).get()
        let stored = store.schedulerConfiguration()
        #expect(stored.preemptionEnabled(for: .service) && !stored.preemptionEnabled(for: .system))
        #expect(stored.createIndex == 5 && stored.modifyIndex == 9)

        let bytes = try JSONEncoder().encode(store.snapshot())
        let restored = StateStore(restoring: try JSONDecoder().decode(StateSnapshot.self, from: bytes))
        #expect(restored.schedulerConfiguration() == stored)
        #expect(restored == store)
    }

    @Test func aSnapshotFromBeforeTheConfigurationExistedRestoresTheDefaults() throws {
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(StateStore().snapshot())) as? [String: Any] ?? [:]
        json["schedulerConfiguration"] = nil
        let old = try JSONDecoder().decode(StateSnapshot.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(StateStore(restoring: old).schedulerConfiguration() == SchedulerConfiguration())
    }
}
