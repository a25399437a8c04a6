#if canImport(Glibc)
import Glibc
#endif

/// How the agent starts a container's monitor and how the monitor starts the runtime: in a
/// new session (the runtime and the container never share the starter's process group, so a
/// signal to one group cannot hit the other), with default signal dispositions and an empty
/// mask (a Swift process blocks and ignores some), and exactly the environment given.
public enum SessionSpawn {
    /// `posix_spawn` of `executable` with `arguments` and `environment` (`NAME=value`) after
    /// `actions`; the child's pid, or the error number.
    public static func spawn(
        _ executable: String, _ arguments: [String], environment: [String], actions: inout posix_spawn_file_actions_t
    ) -> Result<pid_t, SessionSpawnError> {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        // POSIX_SPAWN_SETSID (0x80) is not exported by Glibc's Swift overlay.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | 0x80))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var environmentPointers = environment.map { strdup($0) } + [nil]
        defer { environmentPointers.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, &environmentPointers)
        return result == 0 ? .success(pid) : .failure(SessionSpawnError(code: result))
    }
}

/// The error number `posix_spawn` returned.
public struct SessionSpawnError: Error, Sendable {
    public var code: Int32
    public var description: String { String(cString: strerror(code)) }
}
