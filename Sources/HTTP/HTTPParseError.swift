/// Why a message could not be parsed, with the status the server answers before closing the
/// connection (400 malformed, 413 body too large, 414 request line too long, 431 headers too
/// large, 417 unknown expectation, 501 unsupported transfer coding, 505 unknown version).
public struct HTTPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var status: HTTPStatus
    public var message: String

    public init(_ status: HTTPStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code): \(message)" }
}
