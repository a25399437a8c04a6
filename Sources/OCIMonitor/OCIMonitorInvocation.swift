/// What the agent tells a container monitor: where the exit status, the init's pid and the
/// output pipes are, which runtime to run, and its `create` (and optional `start`) arguments.
///
/// On the command line: `EXIT-FILE PID-FILE STDOUT-FIFO STDERR-FIFO RUNTIME --create ARGS… --start ARGS…`
/// (no start arguments when the create arguments are `run --detach`). A standby monitor gets
/// the same list as its orders on stdin, each argument ended by a NUL byte.
public struct OCIMonitorInvocation: Equatable, Sendable {
    public var exitFile: String
    public var pidFile: String
    public var pipes: [String]
    public var runtime: String
    public var createArguments: [String]
    public var startArguments: [String]

    /// The most bytes of orders a standby accepts (paths and runtime arguments: a few KiB).
    public static let maximumOrderBytes = 1 << 16

    public var arguments: [String] {
        [exitFile, pidFile] + pipes + [runtime, "--create"] + createArguments + ["--start"] + startArguments
    }

    public init(exitFile: String, pidFile: String, pipes: [String], runtime: String, createArguments: [String], startArguments: [String]) {
        self.exitFile = exitFile
        self.pidFile = pidFile
        self.pipes = pipes
        self.runtime = runtime
        self.createArguments = createArguments
        self.startArguments = startArguments
    }

    public init?(_ arguments: [String]) {
        guard arguments.count >= 7, arguments[5] == "--create", let start = arguments.lastIndex(of: "--start"), start > 5 else { return nil }
        self.init(
            exitFile: arguments[0], pidFile: arguments[1], pipes: [arguments[2], arguments[3]], runtime: arguments[4],
            createArguments: Array(arguments[6..<start]), startArguments: Array(arguments[(start + 1)...]))
    }

    /// The orders a standby monitor reads: each argument followed by a NUL byte. Nil when an
    /// argument holds a NUL byte itself (no path or runtime argument can).
    public var orders: [UInt8]? {
        let list = arguments
        guard list.allSatisfy({ !$0.utf8.contains(0) }) else { return nil }
        return list.flatMap { Array($0.utf8) + [0] }
    }

    /// Reads `orders` back. Nil when empty, not NUL-terminated, or over `maximumOrderBytes`.
    public static func arguments(fromOrders bytes: [UInt8]) -> [String]? {
        guard !bytes.isEmpty, bytes.count <= maximumOrderBytes, bytes.last == 0 else { return nil }
        return bytes.dropLast().split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }
}
