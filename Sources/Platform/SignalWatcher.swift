import Foundation
import Glibc
import Synchronization

/// Delivers SIGINT/SIGTERM (or other signals) as events instead of letting them kill the
/// process, so the agent can shut down gracefully: stop accepting, finish requests, stop tasks.
///
/// Why not a Dispatch signal source: on Linux, libdispatch reads signals with a signalfd and
/// blocks them only on its own thread, so a signal that lands on any other thread takes its
/// default action (or is dropped, if ignored). Here a real `sigaction` handler writes the
/// signal number to a pipe — one async-signal-safe `write` — and a dedicated thread reads the
/// pipe and calls the watchers, whichever thread the kernel picked.
public final class SignalWatcher: Sendable {
    private let id: Int
    private let signalNumbers: [Int32]

    /// Calls `handler` with the signal number, on the watcher thread, for each delivery.
    public init(signals: [Int32] = [SIGINT, SIGTERM], handler: @escaping @Sendable (Int32) -> Void) {
        signalNumbers = signals
        id = SignalRegistry.shared.add(signals: signals, handler: handler)
    }

    /// A stream of received signal numbers; ends when the watcher is cancelled.
    public static func stream(signals: [Int32] = [SIGINT, SIGTERM]) -> (SignalWatcher, AsyncStream<Int32>) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream(bufferingPolicy: .bufferingNewest(8))
        let watcher = SignalWatcher(signals: signals) { continuation.yield($0) }
        return (watcher, stream)
    }

    /// Stops watching; a signal nobody watches any more gets its default action back.
    public func cancel() {
        SignalRegistry.shared.remove(id)
    }

    deinit {
        cancel()
    }
}

/// The write end of the signal pipe, read by the C handler. Written once, before any
/// handler is installed, and never changed; hence `nonisolated(unsafe)`.
nonisolated(unsafe) private var signalPipeWriter: Int32 = -1

private func signalWatcherHandler(_ number: Int32) {
    var byte = UInt8(truncatingIfNeeded: number)
    let saved = errno
    _ = write(signalPipeWriter, &byte, 1)
    errno = saved
}

/// Process-wide: the installed handlers and who watches which signal.
private final class SignalRegistry: Sendable {
    static let shared = SignalRegistry()

    private struct State {
        var nextID = 0
        var watchers: [Int: (signals: [Int32], handler: @Sendable (Int32) -> Void)] = [:]
        var installed: Set<Int32> = []
    }

    private let state = Mutex(State())

    private init() {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        // Never block in a signal handler: if the pipe is full, the reader is behind anyway.
        _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
        signalPipeWriter = ends[1]
        let reader = ends[0]
        let thread = Thread { [self] in
            var byte: UInt8 = 0
            while true {
                let count = read(reader, &byte, 1)
                if count == 1 {
                    deliver(Int32(byte))
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
        thread.name = "roost-signals"
        thread.stackSize = 256 * 1024
        thread.start()
    }

    func add(signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) -> Int {
        state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.watchers[id] = (signals, handler)
            for number in signals where !state.installed.contains(number) {
                var action = sigaction()
                action.__sigaction_handler.sa_handler = signalWatcherHandler
                action.sa_flags = SA_RESTART
                sigemptyset(&action.sa_mask)
                sigaction(number, &action, nil)
                state.installed.insert(number)
            }
            return id
        }
    }

    func remove(_ id: Int) {
        state.withLock { state in
            guard state.watchers.removeValue(forKey: id) != nil else { return }
            let stillWatched = Set(state.watchers.values.flatMap(\.signals))
            for number in state.installed where !stillWatched.contains(number) {
                signal(number, SIG_DFL)
                state.installed.remove(number)
            }
        }
    }

    private func deliver(_ number: Int32) {
        let handlers = state.withLock { state in
            state.watchers.values.filter { $0.signals.contains(number) }.map(\.handler)
        }
        for handler in handlers { handler(number) }
    }
}
