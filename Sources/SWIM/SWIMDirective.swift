/// What the shell must do after an entry point of `SWIMInstance` returns.
public enum SWIMDirective: Sendable, Hashable {
    /// Encode, seal and send one datagram.
    case send(SWIMMessage, to: SWIMAddress)
    /// Try the target over a TCP connection as well (some networks drop UDP but not TCP), and
    /// report with `onTCPFallbackResult` before `deadline`.
    case probeOverTCP(sequence: UInt32, target: SWIMNodeID, address: SWIMAddress, deadline: SWIMInstant)
    /// Exchange full state with the member at `address` over TCP: send `localState`, pass the
    /// reply to `onPushPull`. `isJoin` marks the exchanges that `join(seeds:)` asked for, whose
    /// failure the shell reports to the operator and retries.
    case pushPull(with: SWIMAddress, localState: [SWIMGossip], isJoin: Bool)
    case event(SWIMEvent)
}
