/// Operating errors of the worker shell, with a code the API can map to a status.
public struct SupervisorError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case unknownAllocation = "unknown_allocation"
        case unknownTask = "unknown_task"
        case io = "io"
        case cgroups = "cgroups"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
