/// A started task process: its pid (also its process group and session) and the read ends of
/// its stdout and stderr pipes, which the caller owns and must close.
public struct SpawnedProcess: Sendable, Hashable {
    public var pid: Int32
    public var standardOutput: Int32
    public var standardError: Int32

    public init(pid: Int32, standardOutput: Int32, standardError: Int32) {
        self.pid = pid
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}
