/// A file or archive the worker downloads into the task directory before the task starts.
public struct Artifact: Sendable, Hashable, Codable {
    public var source: String
    /// Relative to the task directory; Nomad's default is `local/`.
    public var destination: String
    /// `any`, `file` or `dir`.
    public var mode: String
    public var options: [String: String]
    public var headers: [String: String]

    public init(
        source: String, destination: String = "local/", mode: String = "any", options: [String: String] = [:],
        headers: [String: String] = [:]
    ) {
        self.source = source
        self.destination = destination
        self.mode = mode
        self.options = options
        self.headers = headers
    }
}
