/// Why the manager refused a request, shaped so the API can answer with the right status and
/// a message that says what to fix.
public enum ManagerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The request itself is wrong (a job without tasks, a bad parameter): 400.
    case invalid(String, diagnostics: [String] = [])
    /// What the request names does not exist: 404.
    case notFound(String)
    /// A prefix matched several objects: 400, listing them.
    case ambiguous(String)
    /// The manager is shutting down or overloaded: 503.
    case unavailable(String)

    public var description: String {
        switch self {
        case .invalid(let message, _), .notFound(let message), .ambiguous(let message), .unavailable(let message):
            message
        }
    }
}
