#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// Collects the exit status of task processes without stealing anyone else's.
///
/// It waits only for pids it was told about (`watch`, `adopt`), never `waitpid(-1)`, so
/// children started elsewhere in the process (Foundation's `Process`) keep their statuses.
/// A SIGCHLD source makes it prompt and a slow timer makes it correct when signals coalesce or
/// arrive before a pid is registered.
///
/// With `becomeSubreaper()`, processes a task leaves behind (double-forked daemons) are
/// re-parented to the agent instead of init when their parent dies, so the agent can still see
/// and kill them through the cgroup, and `adopt` reaps them so they do not linger as zombies.
public final class ProcessReaper: Sendable {
    public static let shared = ProcessReaper()

    private struct Registry {
        var watched: [Int32: @Sendable (ProcessExitStatus) -> Void] = [:]
        var adopted: Set<Int32> = []
        /// Spawns in progress (`whileSpawning`): adopted pids are not reaped meanwhile.
        var spawning = 0
    }

    private let registry = Mutex(Registry())
    private let queue = DispatchQueue(label: "roost.process-reaper")
    /// Kept alive for the life of the reaper; only touched here and on `queue`.
    private nonisolated(unsafe) let signalSource: any DispatchSourceSignal
    private nonisolated(unsafe) let pollTimer: any DispatchSourceTimer

    /// The most pids `adopt` remembers; beyond it the oldest are dropped (they are reaped by
    /// init eventually, which only costs a zombie's slot for a while).
    public static let maximumAdopted = 65_536

    private init() {
        signalSource = DispatchSource.makeSignalSource(signal: SIGCHLD, queue: queue)
        pollTimer = DispatchSource.makeTimerSource(queue: queue)
        signalSource.setEventHandler { [weak self] in self?.collect() }
        pollTimer.setEventHandler { [weak self] in self?.collect() }
        pollTimer.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250))
        signalSource.resume()
        pollTimer.resume()
    }

    /// Calls `onExit` once, on the reaper's queue, when `pid` (a child of this process) ends.
    public func watch(_ pid: Int32, onExit: @escaping @Sendable (ProcessExitStatus) -> Void) {
        registry.withLock { $0.watched[pid] = onExit }
        queue.async { [weak self] in self?.collect() }
    }

    /// Remembers pids that belong to a task's tree and may end up as this process's zombies
    /// (re-parented orphans); they are reaped silently.
    public func adopt(_ pids: some Sequence<Int32>) {
        registry.withLock { registry in
            for pid in pids where pid > 0 && registry.watched[pid] == nil {
                if registry.adopted.count >= Self.maximumAdopted, let any = registry.adopted.first {
                    registry.adopted.remove(any)
                }
                registry.adopted.insert(pid)
            }
        }
        queue.async { [weak self] in self?.collect() }
    }

    /// Runs `body`, which spawns a child and `watch`es it, so that no adopted pid is reaped
    /// until the watch is in place.
    ///
    /// Why: a task's process joins its cgroup before it execs, and the agent adopts every pid
    /// of a task's cgroup to reap orphans. Between the spawn and the `watch`, the new child's
    /// pid may be adopted; if it then exits at once (a short task), reaping it as an adopted
    /// orphan would lose its status, and the `watch` would report 255.
    public func whileSpawning<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        registry.withLock { $0.spawning += 1 }
        defer {
            registry.withLock { $0.spawning -= 1 }
            queue.async { [weak self] in self?.collect() }
        }
        return try body()
    }

    /// Makes this process the reaper of its orphaned descendants (Linux `PR_SET_CHILD_SUBREAPER`).
    /// Returns false where that is not available.
    @discardableResult
    public static func becomeSubreaper() -> Bool {
        // prctl is variadic, which Swift cannot call directly; its integer arguments are passed
        // the same way to a fixed-arity prototype on the ABIs Linux runs on.
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "prctl") else { return false }
        let prctl = unsafeBitCast(symbol, to: Prctl.self)
        let setChildSubreaper: Int32 = 36
        return prctl(setChildSubreaper, 1, 0, 0, 0) == 0
    }

    private func collect() {
        // One snapshot: a pid adopted and watched is reaped as watched, with its status.
        let (watched, adopted) = registry.withLock { ($0.watched.keys.map { $0 }, $0.spawning > 0 ? [] : Array($0.adopted)) }
        for pid in watched {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                let callback = registry.withLock { $0.watched.removeValue(forKey: pid) }
                callback?(ProcessExitStatus(waitStatus: status))
            } else if result < 0 && errno == ECHILD {
                // Someone else reaped it (or it was never our child): report it as gone.
                let callback = registry.withLock { $0.watched.removeValue(forKey: pid) }
                callback?(ProcessExitStatus(code: 255))
            }
        }
        for pid in adopted {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            let gone = result == pid || (result < 0 && errno == ECHILD && kill(pid, 0) != 0)
            if gone { _ = registry.withLock { $0.adopted.remove(pid) } }
        }
    }
}
