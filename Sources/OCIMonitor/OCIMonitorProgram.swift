#if canImport(Glibc)
import Glibc
#endif

/// The parent of one container's init, so that the container's exit status outlives the agent.
///
/// With `runtime create` (or `run --detach`), the container's init is re-parented to the
/// nearest child subreaper when the runtime exits. If that is the agent, the status is lost
/// once the agent restarts (the init then belongs to PID 1, and a new agent cannot wait for
/// it). So the agent starts this small process in its own session: it becomes a subreaper,
/// runs the runtime, tells the agent the init's pid on fd 3, then waits for the init and
/// writes its wait status to the exit file (atomically, by rename). The agent — the one that
/// started it or the next one — learns the exit from that file. The monitor also keeps both
/// output pipes (named FIFOs) open for reading and writing, so that while no agent reads them
/// the container's writes block instead of failing with EPIPE, and nothing it wrote is lost.
///
/// It uses Glibc alone, no Foundation: it is its own small executable, `roost-oci-monitor`
/// (the agent's `roost oci-monitor` runs the same code where that executable is missing), so
/// that starting one costs a few milliseconds instead of the 10–20 ms of loading Foundation.
/// The agent keeps one started ahead of need (`--standby`, orders on stdin).
///
/// It ignores SIGHUP, SIGINT, SIGTERM and SIGPIPE: stopping the container is the agent's job
/// (signals to the init, then `runtime delete`), and the monitor ends when the init does.
public enum OCIMonitorProgram {
    /// The argument of a standby monitor: it reads its invocation from stdin when the agent
    /// hands it a container; EOF without orders means the agent let it go.
    public static let standbyFlag = "--standby"

    /// The monitor's main; returns its exit code (0 once the init's status is recorded, or
    /// when a standby is let go without orders; 2 for arguments the agent would never give).
    public static func main(_ arguments: [String]) -> Int32 {
        var given = arguments
        if arguments == [standbyFlag] {
            guard let bytes = readAll(0), !bytes.isEmpty else { return 0 }
            given = OCIMonitorInvocation.arguments(fromOrders: bytes) ?? []
            // The runtime gets /dev/null as its stdin anyway; the orders socket is done with.
            let null = open("/dev/null", O_RDONLY)
            if null > 0 {
                dup2(null, 0)
                close(null)
            }
        }
        // The bundle's name (the container ID): the stdout pipe's directory.
        let traceName = given.count > 2 ? String(given[2].split(separator: "/").dropLast().last ?? "?") : "?"
        mark(traceName, "monitor-ordered")
        guard let invocation = OCIMonitorInvocation(given) else {
            let text = "roost-oci-monitor: the agent starts this command itself, with arguments it chooses; it is not meant to be run by hand\n"
            _ = text.withCString { write(2, $0, strlen($0)) }
            return 2
        }
        // Only now: a malformed call (a test's) must not change the caller's signal handling.
        for signalNumber in [SIGHUP, SIGINT, SIGTERM, SIGPIPE] { signal(signalNumber, SIG_IGN) }
        // fd 3 is the agent's status pipe: only the monitor may hold it, not the runtime or container.
        _ = fcntl(3, F_SETFD, FD_CLOEXEC)
        let keepOpen = invocation.pipes.map { open($0, O_RDWR | O_CLOEXEC) }
        defer { keepOpen.forEach { if $0 >= 0 { close($0) } } }
        // The container's stdout and stderr: write-only ends of the output pipes (they open at
        // once, the monitor's own read-write ends being readers), passed on through the runtime.
        for (index, target) in zip(invocation.pipes.indices, [Int32(1), 2]) where keepOpen[index] >= 0 {
            let writeEnd = open(invocation.pipes[index], O_WRONLY | O_CLOEXEC)
            if writeEnd >= 0 && writeEnd != target {
                dup2(writeEnd, target)
                close(writeEnd)
            }
        }
        becomeSubreaper()
        let runtime = holdRuntime(invocation.runtime)

        guard let creator = spawn(runtime, invocation.createArguments, inheritOutput: true) else {
            return fail("create", invocation)
        }
        mark(traceName, "runtime-spawned")
        let created = waitFor(creator)
        mark(traceName, "runtime-exited")
        let initPID = readText(invocation.pidFile, limit: 64)
            .flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "\n" }).first }.flatMap { Int32($0) }
        guard created == 0, let initPID, initPID > 0 else { return fail("create", invocation) }
        // Without start arguments the create step was `run --detach`: the container runs already.
        if !invocation.startArguments.isEmpty {
            guard let starter = spawn(runtime, invocation.startArguments, inheritOutput: false), waitFor(starter) == 0
            else { return fail("start", invocation) }
        }
        tellAgent("started \(initPID)\n")
        mark(traceName, "monitor-told")

        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, 0)
            if pid == initPID {
                let signalNumber = status & 0x7f
                let code = signalNumber == 0 ? (status >> 8) & 0xff : 128 + signalNumber
                record("exit \(code) \(signalNumber)\n", to: invocation.exitFile)
                return 0
            }
            if pid < 0 && errno != EINTR {
                // No child left and the init never seen: it was not re-parented here.
                record("lost\n", to: invocation.exitFile)
                return 1
            }
        }
    }

    /// With `ROOST_OCI_TRACE_FILE` set (the agent passes it on while tracing), appends
    /// `roost-oci-trace <µs CLOCK_MONOTONIC> <subject> <phase>` lines there, in the agent's format.
    private static let traceFile: String? = getenv("ROOST_OCI_TRACE_FILE").map { String(cString: $0) }

    private static func mark(_ subject: String, _ phase: String) {
        guard let traceFile else { return }
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        let line = "roost-oci-trace \(Int64(time.tv_sec) * 1_000_000 + Int64(time.tv_nsec) / 1000) \(subject) \(phase)\n"
        let fd = open(traceFile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        _ = line.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    /// The agent runs the runtime from a sealed copy in its own memory, named by a path into
    /// its descriptors (`/proc/<agent pid>/fd/<n>`). Opening that path keeps the copy for this
    /// monitor, so the runtime starts from the monitor's own descriptor even if the agent has
    /// ended meanwhile. Any other path is used as it is.
    private static func holdRuntime(_ path: String) -> String {
        guard path.hasPrefix("/proc/") else { return path }
        let held = open(path, O_RDONLY | O_CLOEXEC)
        return held >= 0 ? "/proc/\(getpid())/fd/\(held)" : path
    }

    private static func fail(_ stage: String, _ invocation: OCIMonitorInvocation) -> Int32 {
        record("failed \(stage)\n", to: invocation.exitFile)
        tellAgent("failed \(stage)\n")
        return 1
    }

    /// Linux `PR_SET_CHILD_SUBREAPER`. prctl is variadic, which Swift cannot call directly; its
    /// integer arguments are passed the same way to a fixed-arity prototype on Linux's ABIs.
    private static func becomeSubreaper() {
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "prctl") else { return }
        _ = unsafeBitCast(symbol, to: Prctl.self)(36, 1, 0, 0, 0)
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// Runs the runtime in a new session with stdin from /dev/null, stdout and stderr the
    /// monitor's own (the container's pipes) or /dev/null, default signals, every descriptor
    /// above 2 closed, and a fixed PATH.
    private static func spawn(_ executable: String, _ arguments: [String], inheritOutput: Bool) -> Int32? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if !inheritOutput {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        if let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        }
        let environment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        return try? SessionSpawn.spawn(executable, arguments, environment: environment, actions: &actions).get()
    }

    private static func waitFor(_ pid: Int32) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        return status
    }

    private static func tellAgent(_ line: String) {
        _ = line.withCString { write(3, $0, strlen($0)) }
        close(3)
    }

    /// Everything `fd` yields until EOF; nil on a read error or past the orders' size limit.
    private static func readAll(_ fd: Int32) -> [UInt8]? {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { return bytes }
            bytes.append(contentsOf: buffer[0..<count])
            if bytes.count > OCIMonitorInvocation.maximumOrderBytes { return nil }
        }
    }

    private static func readText(_ path: String, limit: Int) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: limit)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    /// Writes `text` to `path` by rename, so a reader sees all of it or nothing.
    private static func record(_ text: String, to path: String) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        rename(temporary, path)
    }
}
