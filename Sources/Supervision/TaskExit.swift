/// How a task's main process ended, as the shell observed it. The core needs all three facts:
/// a SIGKILL caused by the cgroup's OOM killer is a different story for the user than one sent
/// by a person, and a batch task only succeeds with a clean exit 0.
public struct TaskExit: Sendable, Hashable {
    /// The exit code (0...255) when the process exited; for a signal death, 128 + signal, as shells report it.
    public var code: Int
    /// The signal that ended the process, or nil when it exited by itself.
    public var signal: Int?
    /// Whether the task's cgroup recorded an OOM kill while this process ran.
    public var oomKilled: Bool

    public init(code: Int, signal: Int? = nil, oomKilled: Bool = false) {
        self.code = code
        self.signal = signal
        self.oomKilled = oomKilled
    }

    /// A clean exit: the only outcome that completes a batch task.
    public var isSuccess: Bool { code == 0 && signal == nil && !oomKilled }

    /// "Exit Code: 1", "Exit Code: 137, Signal: 9, OOM Killed", in the words `alloc status` shows.
    public var summary: String {
        var text = "Exit Code: \(code)"
        if let signal { text += ", Signal: \(signal)" }
        if oomKilled { text += ", OOM Killed" }
        return text
    }
}
