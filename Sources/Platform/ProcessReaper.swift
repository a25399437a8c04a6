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
/// `adopt` only knows the pids seen in a task's cgroup while they lived; an orphan that exits
/// before anyone looked (a cgroup no longer lists a zombie) is still found, by its session:
/// a task started in its own session (`watch(_:reapingOrphansOfItsSession:)`) marks its
/// descendants, and a zombie child of that session is one of them.
public final class ProcessReaper: Sendable {
    public static let shared = ProcessReaper()

    private struct Registry {
        var watched: [Int32: @Sendable (ProcessExitStatus) -> Void] = [:]
        var adopted: Set<Int32> = []
        /// Spawns in progress (`whileSpawning`): adopted pids are not reaped meanwhile.
        var spawning = 0
        /// Sessions of tasks (their leaders' pids) whose zombie members are reaped as orphans.
        var taskSessions: Set<Int32> = []
    }

    private let registry = Mutex(Registry())
    private let queue = DispatchQueue(label: "roost.process-reaper")
    /// False for a reaper a test drives by calling `collect` itself.
    private let runsOnItsOwn: Bool
    /// Kept alive for the life of the reaper; only touched here and on `queue`.
    private nonisolated(unsafe) let signalSource: any DispatchSourceSignal
    private nonisolated(unsafe) let pollTimer: any DispatchSourceTimer

    /// The most pids `adopt` remembers; beyond it the oldest are dropped (they are reaped by
    /// init eventually, which only costs a zombie's slot for a while).
    public static let maximumAdopted = 65_536

    private convenience init() {
        self.init(runsOnItsOwn: true)
    }

    /// `runsOnItsOwn: false` makes a reaper that collects only when `collect` is called (for
    /// tests that drive a race step by step); the shared one collects on SIGCHLD and a timer.
    init(runsOnItsOwn: Bool) {
        self.runsOnItsOwn = runsOnItsOwn
        signalSource = DispatchSource.makeSignalSource(signal: SIGCHLD, queue: queue)
        pollTimer = DispatchSource.makeTimerSource(queue: queue)
        if runsOnItsOwn {
            signalSource.setEventHandler { [weak self] in self?.collect() }
            pollTimer.setEventHandler { [weak self] in
                guard let self else { return }
                // Orphans from containers' pid namespaces are looked for on every fourth tick.
                ticks &+= 1
                collect(includingOtherNamespaces: ticks % 4 == 0)
            }
            pollTimer.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250))
        }
        // Resumed also without handlers: Dispatch traps when a suspended source is released.
        signalSource.resume()
        pollTimer.resume()
    }

    deinit {
        signalSource.cancel()
        pollTimer.cancel()
    }

    /// Calls `onExit` once, on the reaper's queue, when `pid` (a child of this process) ends.
    ///
    /// With `reapingOrphansOfItsSession`, `pid` must lead its own session (`ProcessSpawner`
    /// starts every task so): zombie children of that session other than watched ones are
    /// then reaped as the task's orphans, for as long as the leader or its process group lives.
    public func watch(
        _ pid: Int32, reapingOrphansOfItsSession: Bool = false, onExit: @escaping @Sendable (ProcessExitStatus) -> Void
    ) {
        registry.withLock { registry in
            registry.watched[pid] = onExit
            // Its status is the watcher's: never reaped as an orphan.
            registry.adopted.remove(pid)
            if reapingOrphansOfItsSession && registry.taskSessions.count < Self.maximumAdopted {
                registry.taskSessions.insert(pid)
            }
        }
        collectSoon()
    }

    /// How many task sessions are looked after (for tests).
    var taskSessionCount: Int { registry.withLock { $0.taskSessions.count } }

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
        collectSoon()
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
            collectSoon()
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

    /// Counts poll ticks (touched on `queue` only), so that orphans from other pid namespaces
    /// are looked for about once a second.
    private nonisolated(unsafe) var ticks = 0

    /// Children of this process that are zombies from another pid namespace.
    ///
    /// Why: a runtime's `exec` into a container (a script check) leaves a helper process in
    /// the container's pid namespace whose parent exits first; it is re-parented to this
    /// process, the subreaper, and no one else will ever wait for it. While it stays a zombie,
    /// the container's init cannot finish exiting (the kernel waits for every process of the
    /// namespace to be reaped), so the task would never be seen to stop. Only zombies of another
    /// namespace are taken: this process's own children (Foundation's `Process`, spawned tasks)
    /// live in its namespace and keep their statuses for whoever waits for them.
    public static func containerNamespaceZombieChildren() -> [Int32] {
        zombieChildren().filter(\.inAnotherNamespace).map(\.pid)
    }

    /// A zombie child of this process: its pid, its session, and whether it lived in another
    /// pid namespace.
    struct ZombieChild: Equatable {
        var pid: Int32
        var session: Int32
        var inAnotherNamespace: Bool
    }

    /// The children of this process (of any of its threads) that have exited and wait to be
    /// reaped, except those in `excluded`, which are not looked at (a file read each saved:
    /// the running tasks are all children of the agent).
    static func zombieChildren(excluding excluded: Set<Int32> = []) -> [ZombieChild] {
        var found: [ZombieChild] = []
        let tasks = "/proc/self/task"
        guard let directory = opendir(tasks) else { return [] }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.first?.isNumber == true, let children = Self.read(tasks + "/" + name + "/children") else { continue }
            for field in children.split(separator: " ") {
                guard let pid = Int32(field.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0,
                    !excluded.contains(pid), let status = Self.read("/proc/\(pid)/status")
                else { continue }
                var zombie = false
                var foreign = false
                var session: Int32 = 0
                for line in status.split(separator: "\n") {
                    if line.hasPrefix("State:") { zombie = line.contains("Z") }
                    if line.hasPrefix("NSpid:") { foreign = line.split(whereSeparator: { $0 == "\t" || $0 == " " }).count > 2 }
                    if line.hasPrefix("NSsid:") {
                        // The first field is the session in this process's namespace.
                        session = line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first.flatMap { Int32($0) } ?? 0
                    }
                }
                if zombie { found.append(ZombieChild(pid: pid, session: session, inAnotherNamespace: foreign)) }
            }
        }
        return found
    }

    private static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += buffer.prefix(count)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Looks for exits on the reaper's queue (a new watch may have ended already).
    private func collectSoon() {
        guard runsOnItsOwn else { return }
        queue.async { [weak self] in self?.collect() }
    }

    /// Reaps what has ended: watched pids with their status delivered, adopted ones silently,
    /// then orphans (see `reapOrphanZombies`). `betweenPasses` runs after the watched pids were
    /// looked at and before the adopted ones (tests use it to end a process exactly there).
    func collect(includingOtherNamespaces: Bool = false, betweenPasses: () -> Void = {}) {
        let watched = registry.withLock { Array($0.watched.keys) }
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
        betweenPasses()
        let adopted = registry.withLock { Array($0.adopted) }
        for pid in adopted {
            // Decided and reaped under the lock: a pid that is watched (a task that was also
            // adopted from its cgroup, or a new process that got an old orphan's pid) or that
            // may be about to be watched (a spawn under way) keeps its status for its watcher.
            // Looking at a snapshot instead lost exits: a task watched and adopted that ended
            // between the watched pass and this one was reaped here, and its watcher got 255.
            registry.withLock { registry in
                guard registry.spawning == 0 else { return }
                guard registry.watched[pid] == nil else {
                    registry.adopted.remove(pid)
                    return
                }
                var status: Int32 = 0
                let result = waitpid(pid, &status, WNOHANG)
                if result == pid || (result < 0 && errno == ECHILD && kill(pid, 0) != 0) {
                    registry.adopted.remove(pid)
                }
            }
        }
        reapOrphanZombies(includingOtherNamespaces: includingOtherNamespaces)
    }

    /// Reaps, in one walk over this process's zombie children, those nobody will wait for:
    /// members of a task's session, and (with `includingOtherNamespaces`) zombies from a
    /// container's pid namespace (see `containerNamespaceZombieChildren`). Then forgets task
    /// sessions that are over.
    ///
    /// Why the sessions: an orphan that exits before the housekeeping saw it in its task's
    /// cgroup (within about a second) was never adopted, and stayed a zombie for the agent's
    /// lifetime. A forgotten session is one whose leader was reaped and whose process group is
    /// empty: until then the kernel keeps its number from being reused, so a session number
    /// here always means that task.
    private func reapOrphanZombies(includingOtherNamespaces: Bool) {
        let watched: Set<Int32>? = registry.withLock {
            $0.taskSessions.isEmpty && !includingOtherNamespaces ? nil : Set($0.watched.keys)
        }
        guard let watched else { return }
        for zombie in Self.zombieChildren(excluding: watched) {
            registry.withLock { registry in
                let orphan = registry.taskSessions.contains(zombie.session)
                    || (includingOtherNamespaces && zombie.inAnotherNamespace && !registry.adopted.contains(zombie.pid))
                guard orphan, registry.spawning == 0, registry.watched[zombie.pid] == nil else { return }
                var status: Int32 = 0
                _ = waitpid(zombie.pid, &status, WNOHANG)
                registry.adopted.remove(zombie.pid)
            }
        }
        registry.withLock { registry in
            registry.taskSessions = registry.taskSessions.filter { session in
                registry.watched[session] != nil || kill(-session, 0) == 0 || errno == EPERM
            }
        }
    }
}
