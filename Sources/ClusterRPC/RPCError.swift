/// Why a request failed, as the caller sees it: a machine-readable code and a message that
/// says what went wrong, where, and how to fix it. Errors the server sends travel in the
/// response frame; `connectionLost` and `timedOut` are made on the calling side.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The request's body could not be decoded or is invalid.
        case badRequest = "bad_request"
        /// The server does not know the method (an older or newer build).
        case unknownMethod = "unknown_method"
        /// The peer's certificate does not allow this request.
        case forbidden
        /// What the request names does not exist (a heartbeat for a node never registered).
        case notFound = "not_found"
        /// The server cannot serve now (no leader, shutting down); another manager may.
        case unavailable
        /// Too many requests in flight on this channel.
        case overloaded
        /// The server failed in a way the request did not cause.
        case internalError = "internal"
        /// The channel broke (or was never made) before the answer came.
        case connectionLost = "connection_lost"
        /// No answer within the call's deadline.
        case timedOut = "timed_out"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Whether another manager (or the same one later) might answer differently: the link
    /// fails over on these and gives up on the others.
    public var isRetryable: Bool {
        switch code {
        case .unavailable, .overloaded, .connectionLost, .timedOut, .internalError: true
        case .badRequest, .unknownMethod, .forbidden, .notFound: false
        }
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
