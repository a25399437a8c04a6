/// How a child process ended, decoded from a wait status.
public struct ProcessExitStatus: Sendable, Hashable, CustomStringConvertible {
    /// The exit code, or 128 + signal for a signal death (what shells show).
    public var code: Int
    /// The signal that killed the process, nil when it exited by itself.
    public var signal: Int?

    public init(code: Int, signal: Int? = nil) {
        self.code = code
        self.signal = signal
    }

    /// Decodes a raw `waitpid` status (Linux layout).
    public init(waitStatus status: Int32) {
        let terminatingSignal = status & 0x7f
        if terminatingSignal == 0 {
            self.init(code: Int((status >> 8) & 0xff))
        } else {
            self.init(code: 128 + Int(terminatingSignal), signal: Int(terminatingSignal))
        }
    }

    public var description: String {
        if let signal { return "killed by signal \(signal)" }
        return "exit code \(code)"
    }
}
