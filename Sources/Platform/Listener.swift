import Glibc
import Synchronization

/// A nonblocking TCP listening socket.
public final class Listener: Sendable {
    public let descriptor: Int32
    /// The port actually bound: the kernel's choice when 0 was asked for.
    public let port: Int
    public let host: String
    private let closed = Mutex(false)

    /// Binds `host:port` (port 0 picks an ephemeral port) with `SO_REUSEADDR`, so a restarted
    /// agent can bind again while old connections sit in TIME_WAIT.
    public init(host: String, port: Int, backlog: Int32 = 1024) throws(SocketError) {
        let addresses = try SocketAddressResolver.resolve(host: host, port: port, passive: true)
        var lastError = SocketError(operation: "bind \(host):\(port)", code: EADDRNOTAVAIL)
        for address in addresses {
            let fd = Glibc.socket(
                address.family,
                Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                0)
            guard fd >= 0 else {
                lastError = .lastError("socket")
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            let bound = address.withSockaddr { Glibc.bind(fd, $0, $1) }
            guard bound == 0 else {
                lastError = .lastError("bind \(host):\(port)")
                Glibc.close(fd)
                continue
            }
            guard Glibc.listen(fd, backlog) == 0 else {
                lastError = .lastError("listen \(host):\(port)")
                Glibc.close(fd)
                continue
            }
            self.descriptor = fd
            self.host = host
            self.port = Listener.boundPort(fd) ?? port
            return
        }
        throw lastError
    }

    /// Accepts one pending connection without blocking.
    public func accept() -> ListenerAcceptResult {
        while true {
            let fd = Glibc.accept(descriptor, nil, nil)
            if fd >= 0 {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)  // accept4 is not exported; Socket sets O_NONBLOCK
                let socket = Socket(adopting: fd)
                socket.setNoDelay()
                return .accepted(socket)
            }
            switch errno {
            case EINTR, ECONNABORTED, EPROTO: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed(.lastError("accept"))
            }
        }
    }

    /// Closes the listening socket; later calls do nothing.
    public func close() {
        closed.withLock { isClosed in
            if !isClosed {
                isClosed = true
                Glibc.close(descriptor)
            }
        }
    }

    /// The local port a socket is bound to (what port 0 became); shared with `DatagramSocket`.
    static func boundPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        case AF_INET6:
            return withUnsafePointer(to: storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
        default:
            return nil
        }
    }
}

/// The outcome of `Listener.accept()`.
public enum ListenerAcceptResult: Sendable {
    case accepted(Socket)
    case wouldBlock
    /// EMFILE/ENFILE (out of descriptors) and other failures; the caller should back off.
    case failed(SocketError)
}
