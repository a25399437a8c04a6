/// Where a task of a parameterized job finds the payload its dispatch carried: a file under
/// the task's `local/` directory, written before the task starts, so a program reads its
/// input like any other file instead of learning an API.
public struct DispatchPayloadConfig: Sendable, Hashable, Codable {
    /// Relative to the task's `local/` directory; never absolute and never climbing out with `..`.
    public var file: String

    public init(file: String) {
        self.file = file
    }

    /// The path components under `local/`, or nil when `file` is empty, absolute or climbs out
    /// of the directory: the worker never writes outside the task's own `local/`.
    public var localComponents: [String]? {
        guard !file.isEmpty, !file.hasPrefix("/") else { return nil }
        let components = file.split(separator: "/").map(String.init)
        guard !components.isEmpty, !components.contains(".."), !components.contains(".") else { return nil }
        return components
    }
}
