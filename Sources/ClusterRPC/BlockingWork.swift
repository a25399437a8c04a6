import Foundation

/// Runs a blocking piece of work (a connect, a handshake, a read loop) on a thread of its own,
/// so it never holds one of the few threads of Swift's cooperative pool: on a small machine
/// two blocked pool threads stop every actor in the process.
enum BlockingWork {
    /// Runs `work` on a new thread and returns its result.
    static func run<T: Sendable>(_ name: String, _ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            start(name) { continuation.resume(returning: work()) }
        }
    }

    /// Starts `body` on a new thread and returns at once; the thread ends when `body` does.
    static func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
    }
}
