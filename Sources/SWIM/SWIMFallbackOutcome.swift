/// What a TCP fallback probe found, as the shell reports it to `onTCPFallbackResult`.
public enum SWIMFallbackOutcome: Sendable, Hashable {
    /// The target answered over TCP: it is alive, only UDP failed.
    case acknowledged
    /// The target's host answered that nothing listens on the port (a TCP reset): the member's
    /// process is gone although its machine is up, the commonest way a member dies.
    case refused
    /// No answer before the deadline, or any other failure: says nothing more than the lost
    /// datagrams already did.
    case noAnswer
}
