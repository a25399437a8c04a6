/// The outcome of one nonblocking read or write. "Would block" and "end of file" are ordinary
/// events of an event loop, not errors, so they are cases rather than thrown.
public enum SocketIOResult: Sendable, Equatable {
    /// This many bytes were read or written (never 0 for a read: that is `endOfFile`).
    case transferred(Int)
    /// The socket has no data (read) or no buffer space (write) right now.
    case wouldBlock
    /// The peer closed its sending side.
    case endOfFile
    /// The connection failed (reset, broken pipe, …).
    case failed(SocketError)
}
