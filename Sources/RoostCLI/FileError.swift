/// Why a file could not be read or written, in words for the user (`error: …`).
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
