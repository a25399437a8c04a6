import Glibc
import Synchronization

/// One connected TCP socket, always in nonblocking mode.
///
/// The server drives it from an `EventLoop`; the client waits for readiness with `poll` and a
/// deadline (`waitUntilReadable(deadline:)`), so neither ever blocks a thread indefinitely.
/// `shutdown()` may be called from any thread to wake a reader; `close()` releases the
/// descriptor once, and both are serialised so that a late `shutdown` never touches a
/// descriptor number the kernel has already handed to someone else.
public final class Socket: Sendable {
    public let descriptor: Int32
    private let closed = Mutex(false)

    /// Takes ownership of `descriptor`, which must be a connected stream socket.
    public init(adopting descriptor: Int32) {
        self.descriptor = descriptor
        _ = Socket.setNonBlocking(descriptor)
    }

    deinit {
        close()
    }

    /// Connects to `host:port` (a name or a numeric address), giving up after `timeout`.
    public static func connect(host: String, port: Int, timeout: Duration) throws(SocketError) -> Socket {
        let addresses = try SocketAddressResolver.resolve(host: host, port: port, passive: false)
        var lastError = SocketError(operation: "connect", code: ECONNREFUSED)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        for address in addresses {
            let fd = Glibc.socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd < 0 {
                lastError = .lastError("socket")
                continue
            }
            let socket = Socket(adopting: fd)
            let result = address.withSockaddr { Glibc.connect(fd, $0, $1) }
            if result == 0 {
                socket.setNoDelay()
                return socket
            }
            guard errno == EINPROGRESS else {
                lastError = .lastError("connect")
                continue
            }
            guard socket.wait(for: Int16(POLLOUT), deadline: deadline) else {
                lastError = SocketError(operation: "connect", code: ETIMEDOUT, reason: "timed out")
                continue
            }
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            if soError == 0 {
                socket.setNoDelay()
                return socket
            }
            lastError = SocketError(operation: "connect", code: soError)
        }
        throw lastError
    }

    /// Reads what is available into `buffer` without blocking.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) -> SocketIOResult {
        while true {
            let count = Glibc.recv(descriptor, buffer.baseAddress, buffer.count, 0)
            if count > 0 { return .transferred(count) }
            if count == 0 { return buffer.isEmpty ? .transferred(0) : .endOfFile }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed(.lastError("recv"))
            }
        }
    }

    /// Writes as much of `buffer` as the kernel accepts now, without blocking and without
    /// raising SIGPIPE when the peer has gone.
    public func send(_ buffer: UnsafeRawBufferPointer) -> SocketIOResult {
        while true {
            let count = Glibc.send(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            if count >= 0 { return .transferred(count) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed(.lastError("send"))
            }
        }
    }

    /// Writes all of `bytes`, waiting for buffer space until `deadline`.
    public func sendAll(_ bytes: [UInt8], deadline: ContinuousClock.Instant?) throws(SocketError) {
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { send(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            switch result {
            case .transferred(let count): offset += count
            case .wouldBlock:
                guard wait(for: Int16(POLLOUT), deadline: deadline) else {
                    throw SocketError(operation: "send", code: ETIMEDOUT, reason: "timed out")
                }
            case .endOfFile: throw SocketError(operation: "send", code: EPIPE)
            case .failed(let error): throw error
            }
        }
    }

    /// Waits until the socket is readable (or closed by the peer). Returns false on timeout.
    public func waitUntilReadable(deadline: ContinuousClock.Instant?) -> Bool {
        wait(for: Int16(POLLIN), deadline: deadline)
    }

    /// Polls for `events` in slices, so a `nil` deadline still notices a local `shutdown()`.
    func wait(for events: Int16, deadline: ContinuousClock.Instant?) -> Bool {
        while true {
            var timeoutMilliseconds: Int32 = -1
            if let deadline {
                // A deadline already passed still polls once, without waiting.
                timeoutMilliseconds = Int32(clamping: max(0, (deadline - ContinuousClock.now).milliseconds))
            }
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let result = poll(&entry, 1, timeoutMilliseconds)
            if result > 0 { return true }
            if result == 0 {
                if let deadline, ContinuousClock.now < deadline { continue }
                return false
            }
            if errno != EINTR { return true }  // let the following read or write report it
        }
    }

    /// Disables Nagle's algorithm: requests and responses are written whole, so delaying
    /// small segments only adds latency.
    public func setNoDelay() {
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Shuts both directions down, waking any thread blocked on this socket. Safe from any thread.
    public func shutdown() {
        closed.withLock { isClosed in
            if !isClosed { _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    /// Closes the descriptor; later calls do nothing.
    public func close() {
        closed.withLock { isClosed in
            if !isClosed {
                isClosed = true
                _ = Glibc.close(descriptor)
            }
        }
    }

    public var isClosed: Bool { closed.withLock { $0 } }

    @discardableResult
    static func setNonBlocking(_ fd: Int32) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so that a poll never wakes just before its deadline;
    /// saturating rather than trapping for huge values.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? .min : .max }
        let fraction = attoseconds > 0 ? (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000 : attoseconds / 1_000_000_000_000_000
        return scaled.addingReportingOverflow(fraction).overflow ? .max : scaled + fraction
    }
}
