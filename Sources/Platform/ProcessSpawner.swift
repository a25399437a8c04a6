#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts task processes so that nothing of them ever runs outside their cgroups.
///
/// Forking a multithreaded Swift process and running Swift code in the child is unsafe (locks
/// held by other threads stay held), and `posix_spawn` cannot run code between fork and exec.
/// So the child is a tiny POSIX shell shim started with `posix_spawn`: it writes its own pid
/// into each `cgroup.procs` file, changes to the working directory, then `exec`s the task in
/// place. The task's first instruction therefore already runs inside its cgroups, with the
/// same pid the agent waits for. A `/bin/sh` shim was preferred over re-executing the roost
/// binary in a shim mode because it works from any host binary (tests included) and has no
/// startup cost beyond `sh` itself (about a millisecond).
///
/// The shim reports its own failures (cgroup join, working directory) on a status pipe (fd 3)
/// that closes on a successful exec, so they arrive as errors of `spawn` rather than as an
/// exit code the task could also have produced. Executable problems ("not found",
/// "permission denied") are caught before spawning by `resolveExecutable`.
public enum ProcessSpawner {
    static let shimScript = """
        fail() { printf '%s' "$1" >&3; exit 127; }
        dir=$1; count=$2; shift 2
        while [ "$count" -gt 0 ]; do
          { printf '%s\\n' "$$" > "$1"; } 2>/dev/null || fail "cannot join cgroup ($1)"
          shift; count=$((count - 1))
        done
        cd -- "$dir" 2>/dev/null || fail "cannot change to the working directory $dir"
        exec "$@" 3>&-
        """

    /// The shell that runs the shim.
    public static let shimShell = "/bin/sh"

    /// The search path used when the task's environment has no PATH.
    public static let defaultSearchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Turns a task's `command` into an absolute path of an executable file: a name without a
    /// slash is looked up in `searchPath`, a relative path is taken from `workingDirectory`.
    public static func resolveExecutable(
        _ command: String, searchPath: String?, workingDirectory: String
    ) throws(SpawnError) -> String {
        guard !command.isEmpty else { throw SpawnError(.executableNotFound, "executable not found: no command given") }
        guard !command.utf8.contains(0) else { throw SpawnError(.executableNotFound, "executable not found: invalid name") }
        if command.contains("/") {
            let path = command.hasPrefix("/") ? command : workingDirectory + "/" + command
            try checkExecutable(path, shownAs: command)
            return path
        }
        var sawDenied = false
        for directory in (searchPath ?? defaultSearchPath).split(separator: ":", omittingEmptySubsequences: true) {
            let path = directory.hasPrefix("/") ? "\(directory)/\(command)" : "\(workingDirectory)/\(directory)/\(command)"
            do {
                try checkExecutable(path, shownAs: command)
                return path
            } catch where error.code == .permissionDenied {
                sawDenied = true
            } catch {
                continue
            }
        }
        if sawDenied { throw SpawnError(.permissionDenied, "permission denied: \(command) is not executable") }
        throw SpawnError(.executableNotFound, "executable not found: \(command) is not in the PATH")
    }

    static func checkExecutable(_ path: String, shownAs command: String) throws(SpawnError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw SpawnError(.executableNotFound, "executable not found: \(command)")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw SpawnError(.permissionDenied, "permission denied: \(command) is not a regular file")
        }
        guard access(path, X_OK) == 0 else {
            throw SpawnError(.permissionDenied, "permission denied: \(command) is not executable")
        }
    }

    /// Starts the process in a new session with stdin from /dev/null and stdout/stderr on
    /// pipes, inside the requested cgroups. Blocks only until the task's exec (a millisecond).
    public static func spawn(_ request: SpawnRequest) throws(SpawnError) -> SpawnedProcess {
        let outputPipe = try makePipe()
        let errorPipe: (read: Int32, write: Int32)
        let statusPipe: (read: Int32, write: Int32)
        do {
            errorPipe = try makePipe()
        } catch {
            closeAll(outputPipe.read, outputPipe.write)
            throw error
        }
        do {
            statusPipe = try makePipe()
        } catch {
            closeAll(outputPipe.read, outputPipe.write, errorPipe.read, errorPipe.write)
            throw error
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe.write, 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe.write, 2)
        posix_spawn_file_actions_adddup2(&actions, statusPipe.write, 3)
        // Descriptors the agent opened without O_CLOEXEC must not leak into tasks.
        if let closeFrom = gnuCloseFrom { _ = closeFrom(&actions, 4) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaultSignals = sigset_t()
        sigfillset(&defaultSignals)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        // POSIX_SPAWN_SETSID (glibc 2.26+, 0x80) is not exported to Swift: a new session makes the
        // task its own process group, so signals reach its children and never the agent.
        let setSession: Int32 = 0x80
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | setSession)
        )

        var arguments = [shimShell, "-c", shimScript, "roost-task-shim", request.workingDirectory]
        arguments.append(String(request.cgroupProcsFiles.count))
        arguments += request.cgroupProcsFiles
        arguments.append(request.executable)
        arguments += request.arguments
        let environment = request.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }

        var pid: pid_t = 0
        let result = withCStrings(arguments) { argv in
            withCStrings(environment) { envp in
                posix_spawn(&pid, shimShell, &actions, &attributes, argv, envp)
            }
        }
        closeAll(outputPipe.write, errorPipe.write, statusPipe.write)
        if result != 0 {
            closeAll(outputPipe.read, errorPipe.read, statusPipe.read)
            throw SpawnError(.system, "cannot start \(shimShell): \(String(cString: strerror(result)))")
        }
        // EOF without a message means the exec happened (fd 3 closed on exec).
        let message = (try? readAll(statusPipe.read, limit: 4096)) ?? []
        close(statusPipe.read)
        if !message.isEmpty {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            closeAll(outputPipe.read, errorPipe.read)
            let text = String(decoding: message, as: UTF8.self)
            let code: SpawnError.Code = text.hasPrefix("cannot join cgroup") ? .cgroup : .workingDirectory
            throw SpawnError(code, text)
        }
        return SpawnedProcess(pid: pid, standardOutput: outputPipe.read, standardError: errorPipe.read)
    }

    private static func makePipe() throws(SpawnError) -> (read: Int32, write: Int32) {
        var descriptors: [Int32] = [0, 0]
        let created: Int32
        if let pipe2 = gnuPipe2 {
            created = pipe2(&descriptors, O_CLOEXEC)
        } else {
            created = pipe(&descriptors)
            if created == 0 {
                _ = fcntl(descriptors[0], F_SETFD, FD_CLOEXEC)
                _ = fcntl(descriptors[1], F_SETFD, FD_CLOEXEC)
            }
        }
        guard created == 0 else {
            throw SpawnError(.system, "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        return (descriptors[0], descriptors[1])
    }

    // glibc's GNU extensions are not visible to Swift without _GNU_SOURCE; they are looked up
    // once by name. Both have fixed arities, so calling them through these types is exact.
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let gnuPipe2: Pipe2? = lookUp("pipe2").map { unsafeBitCast($0, to: Pipe2.self) }
    private static let gnuCloseFrom: CloseFrom? = lookUp("posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: CloseFrom.self)
    }

    private static func lookUp(_ name: String) -> UnsafeMutableRawPointer? {
        guard let handle = dlopen(nil, RTLD_NOW) else { return nil }
        return dlsym(handle, name)
    }

    private static func readAll(_ fd: Int32, limit: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while result.count < limit {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            result.append(contentsOf: buffer[0..<count])
        }
        return result
    }

    private static func closeAll(_ descriptors: Int32...) {
        for fd in descriptors { close(fd) }
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        return body(pointers + [nil])
    }
}
