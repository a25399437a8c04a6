#if canImport(Glibc)
import Glibc
#endif
import OCIMonitor
import Platform

/// Starts runtime commands (`create`, `start`) straight with posix_spawn, skipping the task
/// shim (no cgroup to join: the runtime places the container itself) and Foundation's
/// launcher, whose exit detection waits for an inherited socket that `crun create` leaves open
/// in the container's init. Exits are collected by the agent's `ProcessReaper`.
enum OCIRuntimeProcess {
    struct Spawned {
        var pid: Int32
        /// Read ends of the command's stdout and stderr (nil when they went to /dev/null).
        var standardOutput: Int32?
        var standardError: Int32?
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let closeFrom: CloseFrom? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()

    /// Where a spawned command's stdout and stderr go.
    enum Output {
        /// Fresh pipes whose read ends are returned.
        case pipes
        /// /dev/null.
        case discard
        /// The caller's own stdout and stderr (the container monitor passes them on to the container).
        case inherit
        /// These descriptors (dup'ed; the caller closes its copies).
        case descriptors(Int32, Int32)
    }

    /// Spawns `executable arguments` in a new session, stdin from /dev/null, stdout and stderr
    /// on fresh pipes when `pipes` (their read ends returned), else /dev/null.
    static func spawn(_ executable: String, _ arguments: [String], pipes: Bool) -> Result<Spawned, SpawnError> {
        spawn(executable, arguments, output: pipes ? .pipes : .discard)
    }

    /// Spawns `executable arguments` in a new session with stdin from `input` (else
    /// /dev/null), stdout and stderr per `output`, and `statusDescriptor` (when given) as its
    /// fd 3; every other descriptor is closed in the child.
    static func spawn(
        _ executable: String, _ arguments: [String], output mode: Output, statusDescriptor: Int32? = nil, input: Int32? = nil
    ) -> Result<Spawned, SpawnError> {
        let pipes: Bool
        if case .pipes = mode { pipes = true } else { pipes = false }
        var output: [Int32] = [-1, -1]
        var error: [Int32] = [-1, -1]
        if pipes {
            guard makePipe(&output) else { return .failure(SpawnError(.system, "cannot create a pipe: errno \(errno)")) }
            guard makePipe(&error) else {
                close(output[0]); close(output[1])
                return .failure(SpawnError(.system, "cannot create a pipe: errno \(errno)"))
            }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input {
            posix_spawn_file_actions_adddup2(&actions, input, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        switch mode {
        case .pipes:
            posix_spawn_file_actions_adddup2(&actions, output[1], 1)
            posix_spawn_file_actions_adddup2(&actions, error[1], 2)
        case .discard:
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        case .inherit:
            break
        case .descriptors(let out, let err):
            posix_spawn_file_actions_adddup2(&actions, out, 1)
            posix_spawn_file_actions_adddup2(&actions, err, 2)
        }
        if let statusDescriptor { posix_spawn_file_actions_adddup2(&actions, statusDescriptor, 3) }
        if let closeFrom { _ = closeFrom(&actions, statusDescriptor == nil ? 3 : 4) }
        var environment = ["PATH=" + ProcessSpawner.defaultSearchPath]
        // The container monitor's phase marks (OCIMonitorProgram), only while tracing.
        if let traceFile = OCIStartTrace.monitorTraceFile { environment.append("ROOST_OCI_TRACE_FILE=" + traceFile) }
        let spawned = SessionSpawn.spawn(executable, arguments, environment: environment, actions: &actions)
        if pipes {
            close(output[1])
            close(error[1])
        }
        let pid: pid_t
        switch spawned {
        case .success(let value):
            pid = value
        case .failure(let failure):
            if pipes { close(output[0]); close(error[0]) }
            return .failure(SpawnError(.system, "cannot run \(executable): \(failure.description)"))
        }
        return .success(Spawned(pid: pid, standardOutput: pipes ? output[0] : nil, standardError: pipes ? error[0] : nil))
    }

    /// A pipe whose ends do not leak into other children (the spawn also closes fds >= 3).
    static func makePipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        return true
    }

    /// Waits (without blocking a thread) for a spawned command's exit.
    static func exit(of pid: Int32) async -> ProcessExitStatus {
        await withCheckedContinuation { continuation in
            ProcessReaper.shared.watch(pid) { continuation.resume(returning: $0) }
        }
    }

    /// Runs a short command to completion; its messages go to the runtime's `--log` file.
    static func run(_ executable: String, _ arguments: [String]) async -> ProcessExitStatus {
        switch spawn(executable, arguments, pipes: false) {
        case .failure: return ProcessExitStatus(code: 127)
        case .success(let spawned): return await exit(of: spawned.pid)
        }
    }
}
