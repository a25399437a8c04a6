/// Why an `HTTPClient` call failed, worded for a person reading the CLI's `error:` line.
/// An HTTP error status is not an `HTTPClientError`: it is a response.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case invalidAddress
        case cannotConnect
        case timedOut
        case connectionClosed
        case malformedResponse
        case responseTooLarge
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
