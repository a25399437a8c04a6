import HTTP

/// The `?index=N&wait=5s` of a list request (Nomad's blocking query): answer once the state
/// is newer than index N, or when the wait is over, whichever comes first.
struct BlockingQuery: Sendable, Hashable {
    var index: UInt64
    var wait: Duration

    /// Nomad's default when `index` is given without `wait`.
    static let defaultWait: Duration = .seconds(300)
    /// A longer wait would hold connections for no one's benefit.
    static let maximumWait: Duration = .seconds(600)

    /// nil when the request is not a blocking query; throws for a malformed one.
    init?(_ request: HTTPRequest) throws(APIRequestError) {
        guard let indexText = request.queryValue("index") else { return nil }
        guard let index = UInt64(indexText) else {
            throw APIRequestError(.badRequest, "index must be a whole number ≥ 0 (the X-Roost-Index of an earlier answer), got \"\(indexText)\"")
        }
        self.index = index
        if let waitText = request.queryValue("wait") {
            guard let wait = Self.parseDuration(waitText), wait >= .zero else {
                throw APIRequestError(.badRequest, "wait must be a duration such as 500ms, 5s or 2m, got \"\(waitText)\"")
            }
            self.wait = min(wait, Self.maximumWait)
        } else {
            wait = Self.defaultWait
        }
    }

    /// `250ms`, `5s`, `2m`, `1h`, or a bare number of seconds.
    static func parseDuration(_ text: String) -> Duration? {
        let units: [(suffix: String, scale: Duration)] = [("ms", .milliseconds(1)), ("s", .seconds(1)), ("m", .seconds(60)), ("h", .seconds(3600))]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let number = Int(text.dropLast(suffix.count)), number >= 0, number <= 1_000_000 else { return nil }
            return scale * number
        }
        guard let seconds = Int(text), seconds >= 0, seconds <= 1_000_000 else { return nil }
        return .seconds(seconds)
    }
}

/// A request the API cannot serve, with the status and message to answer.
struct APIRequestError: Error, Sendable {
    var status: HTTPStatus
    var message: String
    var diagnostics: [String]?

    init(_ status: HTTPStatus, _ message: String, diagnostics: [String]? = nil) {
        self.status = status
        self.message = message
        self.diagnostics = diagnostics
    }
}
