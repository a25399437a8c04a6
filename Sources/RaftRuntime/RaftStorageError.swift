import Glibc

/// Why a `WriteAheadLog` or `SnapshotStore` operation failed.
public struct RaftStorageError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// A system call failed (`errno` is set).
        case io
        /// A record with a valid checksum that this version cannot read (written by a newer
        /// version): recovery refuses to cut it away and stops instead.
        case unsupportedRecord
        /// Valid records that contradict each other (an entry index out of sequence): a bug
        /// or a file from elsewhere; the log is not opened rather than guessed at.
        case inconsistent
        /// A record or snapshot whose checksum holds but that does not authenticate with the
        /// data key (encryption at rest): altered, moved, sealed with another key, or plain
        /// where sealed was required. Never treated as a torn write.
        case unauthenticated
        /// The caller broke the API contract (entries not contiguous, truncating below the
        /// snapshot, using a closed log).
        case misuse
    }

    public var code: Code
    public var message: String
    public var errno: Int32

    public init(_ code: Code, _ message: String, errno: Int32 = 0) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    static func io(_ operation: String, _ path: String, errno code: Int32 = Glibc.errno) -> RaftStorageError {
        let reason = strerror(code).map { String(cString: $0) } ?? "error \(code)"
        return RaftStorageError(.io, "\(operation) \(path): \(reason)", errno: code)
    }

    public var description: String { message }
}
