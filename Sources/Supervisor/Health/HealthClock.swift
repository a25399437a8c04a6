import ClusterModel
import Platform

/// The time source of a `HealthWatcher`: injected so tests can run it on a clock they control.
protocol HealthClock: Sendable {
    func now() -> Timestamp
    func sleep(for duration: Duration) async throws
}

/// The wall clock, the same one the allocation runner stamps task states with (grace periods
/// are counted from a task's `startedAt`).
struct WallHealthClock: HealthClock {
    func now() -> Timestamp { Timestamp(nanosecondsSinceEpoch: ClockSource.wallNanosecondsSinceEpoch()) }
    func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
