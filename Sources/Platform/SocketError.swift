import Glibc

/// A failed socket operation, with the system's reason kept apart from the operation so that
/// callers can phrase their own message ("cannot connect to …: connection refused").
public struct SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being attempted: "connect", "bind", "resolve 'example'", ….
    public var operation: String
    /// The `errno` value, or 0 when the failure did not come from a system call.
    public var code: Int32
    /// Lower-case reason, e.g. "connection refused" or "timed out".
    public var reason: String

    public init(operation: String, code: Int32, reason: String? = nil) {
        self.operation = operation
        self.code = code
        self.reason = reason ?? SocketError.describe(code)
    }

    /// The current `errno`, read immediately after the failing call.
    static func lastError(_ operation: String) -> SocketError {
        SocketError(operation: operation, code: errno)
    }

    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        let message = String(cString: text)
        guard let first = message.first else { return message }
        return first.lowercased() + message.dropFirst()
    }

    public var description: String { "\(operation): \(reason)" }
}
