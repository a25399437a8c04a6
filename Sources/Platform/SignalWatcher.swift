@preconcurrency import Dispatch
import Glibc

/// Delivers SIGINT/SIGTERM (or other signals) as events instead of killing the process, so
/// the agent can shut down gracefully: stop accepting, finish requests, stop tasks.
///
/// The signals' default action is replaced by "ignore" while the watcher lives (Dispatch
/// sources only observe signals; without that the default action would still terminate the
/// process), and restored by `cancel()`.
public final class SignalWatcher: @unchecked Sendable {  // sources are immutable after init; Dispatch serialises cancel
    private let sources: [DispatchSourceSignal]
    private let signalNumbers: [Int32]

    /// Calls `handler` with the signal number, on a private queue, for each delivery.
    public init(signals: [Int32] = [SIGINT, SIGTERM], handler: @escaping @Sendable (Int32) -> Void) {
        let queue = DispatchQueue(label: "roost.signals")
        signalNumbers = signals
        sources = signals.map { number in
            Glibc.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
    }

    /// A stream of received signal numbers; ends when the watcher is cancelled.
    public static func stream(signals: [Int32] = [SIGINT, SIGTERM]) -> (SignalWatcher, AsyncStream<Int32>) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream(bufferingPolicy: .bufferingNewest(8))
        let watcher = SignalWatcher(signals: signals) { continuation.yield($0) }
        continuation.onTermination = { _ in }
        return (watcher, stream)
    }

    /// Stops watching and restores the default actions.
    public func cancel() {
        for source in sources { source.cancel() }
        for number in signalNumbers { Glibc.signal(number, SIG_DFL) }
    }
}
