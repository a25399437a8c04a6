/// A timer the core asked the shell to run. The generation ties it to the phase that asked for
/// it, so a timer that fires after its phase ended (a restart cancelled by a stop, a kill
/// escalation after the process already exited) is recognised as stale and ignored.
public struct TaskTimer: Sendable, Hashable {
    public enum Purpose: Sendable, Hashable {
        /// The restart delay is over: start the task again.
        case restart
        /// The kill timeout is over: SIGKILL whatever is left.
        case killEscalation
    }

    public var purpose: Purpose
    public var generation: UInt64

    public init(purpose: Purpose, generation: UInt64) {
        self.purpose = purpose
        self.generation = generation
    }
}
