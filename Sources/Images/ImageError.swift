/// Why an image could not be pulled, read or unpacked. The message names the image or blob
/// and says what to do; the code lets callers (the task driver, tests) tell cases apart.
public struct ImageError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case badReference = "bad_reference"
        case manifestUnknown = "manifest_unknown"
        case digestMismatch = "digest_mismatch"
        case sizeMismatch = "size_mismatch"
        case unauthorized = "unauthorized"
        case transport = "transport"
        case registry = "registry"
        case badDocument = "bad_document"
        case platform = "platform"
        case unsafeLayer = "unsafe_layer"
        case io = "io"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
