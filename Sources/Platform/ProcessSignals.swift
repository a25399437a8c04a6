#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Signal names as jobs write them (`kill_signal = "SIGINT"`) and sending them to a task.
public enum ProcessSignals {
    /// The number for `SIGTERM`, `TERM` or `term`; nil for names this platform does not have.
    public static func number(named name: String) -> Int32? {
        var key = name.uppercased()
        if key.hasPrefix("SIG") { key.removeFirst(3) }
        switch key {
        case "HUP": return SIGHUP
        case "INT": return SIGINT
        case "QUIT": return SIGQUIT
        case "ABRT": return SIGABRT
        case "KILL": return SIGKILL
        case "USR1": return SIGUSR1
        case "USR2": return SIGUSR2
        case "PIPE": return SIGPIPE
        case "ALRM": return SIGALRM
        case "TERM": return SIGTERM
        case "CONT": return SIGCONT
        case "STOP": return SIGSTOP
        case "TSTP": return SIGTSTP
        case "WINCH": return SIGWINCH
        default: return nil
        }
    }

    /// Sends `signal` to the process group led by `pid` (tasks run in their own session, so
    /// a shell wrapper and its children get it too), falling back to the process alone.
    /// Returns false when no such process exists.
    @discardableResult
    public static func send(_ signal: Int32, toGroupOf pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(-pid, signal) == 0 { return true }
        return kill(pid, signal) == 0
    }

    /// Whether `pid` is a live process (not gone, not a zombie waiting to be reaped).
    public static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = FileIO.readText("/proc/\(pid)/stat", limit: 4096) else { return false }
        // The state follows the command name, which is in parentheses and may contain spaces.
        guard let close = stat.lastIndex(of: ")") else { return true }
        let rest = stat[stat.index(after: close)...].drop { $0 == " " }
        return rest.first != "Z" && rest.first != "X"
    }
}
