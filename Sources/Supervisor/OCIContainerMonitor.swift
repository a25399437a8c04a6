#if canImport(Glibc)
import Glibc
#endif
import Platform

/// The parent of one container's init, so that the container's exit status outlives the agent.
///
/// With `runtime create`, the container's init is re-parented to the nearest child subreaper
/// when `create` exits. If that is the agent, the status is lost once the agent restarts (the
/// init then belongs to PID 1, and a new agent cannot wait for it). So the agent starts this
/// small process (`roost oci-monitor …`, the agent's own binary re-executed) in its own session:
/// it becomes a subreaper, runs `create` and `start`, tells the agent the init's pid on fd 3,
/// then waits for the init and writes its wait status to the exit file (atomically, by
/// rename). The agent — the one that started it or the next one — learns the exit from that
/// file. The monitor also keeps both output pipes (named FIFOs) open for reading and writing,
/// so that while no agent reads them the container's writes block instead of failing with
/// EPIPE, and nothing it wrote is lost.
///
/// It ignores SIGHUP, SIGINT, SIGTERM and SIGPIPE: stopping the container is the agent's job
/// (signals to the init, then `runtime delete`), and the monitor ends when the init does.
public enum OCIContainerMonitor {
    /// `roost oci-monitor …`; not listed in the CLI's help (it is not for people).
    public static let subcommand = "oci-monitor"

    /// What the agent passes: `EXIT-FILE PID-FILE STDOUT-FIFO STDERR-FIFO RUNTIME --create ARGS… --start ARGS…`
    /// (no start arguments when the create arguments are `run --detach`).
    struct Invocation: Equatable {
        var exitFile: String
        var pidFile: String
        var pipes: [String]
        var runtime: String
        var createArguments: [String]
        var startArguments: [String]

        var arguments: [String] {
            [exitFile, pidFile] + pipes + [runtime, "--create"] + createArguments + ["--start"] + startArguments
        }

        init(exitFile: String, pidFile: String, pipes: [String], runtime: String, createArguments: [String], startArguments: [String]) {
            self.exitFile = exitFile
            self.pidFile = pidFile
            self.pipes = pipes
            self.runtime = runtime
            self.createArguments = createArguments
            self.startArguments = startArguments
        }

        init?(_ arguments: [String]) {
            guard arguments.count >= 7, arguments[5] == "--create", let start = arguments.lastIndex(of: "--start"), start > 5 else { return nil }
            self.init(
                exitFile: arguments[0], pidFile: arguments[1], pipes: [arguments[2], arguments[3]], runtime: arguments[4],
                createArguments: Array(arguments[6..<start]), startArguments: Array(arguments[(start + 1)...]))
        }
    }

    /// The monitor's main; returns its exit code (0 once the init's status is recorded).
    public static func main(_ arguments: [String]) -> Int32 {
        guard let invocation = Invocation(arguments) else {
            let text = "roost oci-monitor: the agent starts this command itself, with arguments it chooses; it is not meant to be run by hand\n"
            _ = text.withCString { write(2, $0, strlen($0)) }
            return 2
        }
        // fd 3 is the agent's status pipe: only the monitor may hold it, not the runtime or container.
        _ = fcntl(3, F_SETFD, FD_CLOEXEC)
        for signalNumber in [SIGHUP, SIGINT, SIGTERM, SIGPIPE] { signal(signalNumber, SIG_IGN) }
        let keepOpen = invocation.pipes.map { open($0, O_RDWR | O_CLOEXEC) }
        defer { keepOpen.forEach { if $0 >= 0 { close($0) } } }
        ProcessReaper.becomeSubreaper()

        guard case .success(let creator) = OCIRuntimeProcess.spawn(invocation.runtime, invocation.createArguments, output: .inherit) else {
            return fail("create", invocation)
        }
        let created = waitFor(creator.pid)
        let initPID = FileIO.readText(invocation.pidFile, limit: 64)
            .flatMap { $0.split(whereSeparator: { $0 == " " || $0 == "\n" }).first }.flatMap { Int32($0) }
        guard created == 0, let initPID, initPID > 0 else { return fail("create", invocation) }
        // Without start arguments the create step was `run --detach`: the container runs already.
        if !invocation.startArguments.isEmpty {
            guard case .success(let starter) = OCIRuntimeProcess.spawn(invocation.runtime, invocation.startArguments, output: .discard),
                waitFor(starter.pid) == 0
            else { return fail("start", invocation) }
        }
        tellAgent("started \(initPID)\n")

        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, 0)
            if pid == initPID {
                let exit = ProcessExitStatus(waitStatus: status)
                record("exit \(exit.code) \(exit.signal ?? 0)\n", to: invocation.exitFile)
                return 0
            }
            if pid < 0 && errno != EINTR {
                // No child left and the init never seen: it was not re-parented here.
                record("lost\n", to: invocation.exitFile)
                return 1
            }
        }
    }

    /// Decodes the exit file: `exit <code> <signal>` (signal 0: exited by itself).
    static func parseExit(_ text: String) -> ProcessExitStatus? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 3, fields[0] == "exit", let code = Int(fields[1]), let signal = Int(fields[2]),
            (0...255).contains(code), (0...64).contains(signal)
        else { return nil }
        return ProcessExitStatus(code: code, signal: signal == 0 ? nil : signal)
    }

    private static func fail(_ stage: String, _ invocation: Invocation) -> Int32 {
        record("failed \(stage)\n", to: invocation.exitFile)
        tellAgent("failed \(stage)\n")
        return 1
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
