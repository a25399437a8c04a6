/// Why a task's process could not be started; the message is what users see in the task's
/// "Driver Failure" event.
public struct SpawnError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case executableNotFound = "executable_not_found"
        case permissionDenied = "permission_denied"
        case workingDirectory = "working_directory"
        case cgroup = "cgroup"
        case system = "system"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
