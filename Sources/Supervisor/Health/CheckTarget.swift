/// What a check probes, resolved from the job and the allocation's ports when the allocation
/// arrives, so a probe is plain I/O with nothing left to look up.
enum CheckTarget: Sendable, Hashable {
    /// A request to `http://host:port/path`; 2xx passes, 429 warns, anything else is critical.
    case http(HTTPCheckRequest)
    /// A TCP connection to `host:port`; connecting passes.
    case tcp(host: String, port: Int)
    /// `command args…` in the task's environment; exit 0 passes, 1 warns, anything else is critical.
    case script(task: String, command: String, arguments: [String])
    /// A check this worker cannot run: reported critical with `reason`, so a deployment that
    /// depends on it fails visibly instead of waiting forever.
    case unsupported(reason: String)
}

/// The request an `http` check sends.
struct HTTPCheckRequest: Sendable, Hashable {
    var host: String
    var port: Int
    var method: String
    /// Path and query, starting with `/`.
    var path: String
    var headers: [String: [String]]
    var body: String
}
