/// What the allocation's health core asks its shell to do.
enum HealthDirective: Sendable, Hashable {
    /// Run check number `check` (its index in the core) once; answer with `probeFinished`
    /// quoting `attempt`, however long it takes (the core times it out on its own).
    case probe(check: Int, attempt: UInt64)
    /// Restart the task through its supervisor (`check_restart`); `message` is the task event.
    case restart(task: String, message: String)
}
