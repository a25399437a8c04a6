/// Runs one probe of a check. Injected into the `HealthWatcher` so the shell can be tested
/// with scripted answers; `LiveCheckProber` does the real I/O.
protocol CheckProber: Sendable {
    /// Probes `target`, giving up after about `timeout`. Never throws: every failure is an
    /// outcome (critical, with what went wrong).
    func probe(_ target: CheckTarget, timeout: Duration) async -> CheckOutcome
}
