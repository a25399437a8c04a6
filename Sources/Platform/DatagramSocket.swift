import Glibc
import Synchronization

/// A nonblocking UDP socket bound to one address: what gossip sends its probes and
/// piggybacked updates through.
///
/// Sending is safe from any thread (each `sendto` is one system call on a datagram socket);
/// receiving is meant for one reader thread, which waits with `poll` on `descriptor`.
/// Destinations are resolved once and cached, because gossip sends to the same few hundred
/// addresses many times a second.
public final class DatagramSocket: Sendable {
    public let descriptor: Int32
    /// The port actually bound: the kernel's choice when 0 was asked for.
    public let port: Int
    private let family: Int32
    private let closed = Mutex(false)
    private let destinations = Mutex<[DatagramEndpoint: SocketAddress]>([:])

    /// Bounds the destination cache; it is emptied when full (the next sends resolve again).
    static let maximumCachedDestinations = 4096

    /// Binds `host:port` (port 0 picks an ephemeral port). A large receive buffer keeps bursts
    /// (a push of updates to many members at once) from being dropped by the kernel.
    public init(host: String, port: Int, receiveBufferBytes: Int32 = 1 << 20) throws(SocketError) {
        var addresses = try SocketAddressResolver.resolve(host: host, port: port, passive: true)
        // Prefer IPv4 when a name resolves to both, so that peers given as IPv4 literals work.
        addresses.sort { $0.family == AF_INET && $1.family != AF_INET }
        var lastError = SocketError(operation: "bind udp \(host):\(port)", code: EADDRNOTAVAIL)
        for address in addresses {
            let fd = Glibc.socket(
                address.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else {
                lastError = .lastError("socket")
                continue
            }
            var size = receiveBufferBytes
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            // Queue ICMP errors (a peer's "port unreachable") where `takeRefusals` can read them
            // with the address they concern; without this an unconnected socket never hears them.
            var enabled: Int32 = 1
            if address.family == AF_INET6 {
                setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_RECVERR, &enabled, socklen_t(MemoryLayout<Int32>.size))
            } else {
                setsockopt(fd, Int32(IPPROTO_IP), IP_RECVERR, &enabled, socklen_t(MemoryLayout<Int32>.size))
            }
            let bound = address.withSockaddr { Glibc.bind(fd, $0, $1) }
            guard bound == 0 else {
                lastError = .lastError("bind udp \(host):\(port)")
                Glibc.close(fd)
                continue
            }
            descriptor = fd
            family = address.family
            self.port = Listener.boundPort(fd) ?? port
            return
        }
        throw lastError
    }

    deinit {
        close()
    }

    /// Sends one datagram without blocking. Returns false when it could not be sent (no route,
    /// a full buffer, an unresolvable host): gossip treats that like a datagram lost on the way.
    @discardableResult
    public func send(_ bytes: [UInt8], to endpoint: DatagramEndpoint) -> Bool {
        guard !isClosed, let address = resolve(endpoint) else { return false }
        while true {
            let count = bytes.withUnsafeBytes { buffer in
                address.withSockaddr { Glibc.sendto(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), $0, $1) }
            }
            if count >= 0 { return true }
            if errno == EINTR { continue }
            return false
        }
    }

    /// Reads one waiting datagram into `buffer`, or nil when none is waiting (or on error).
    /// A datagram longer than the buffer is truncated, and reported with its full length so
    /// that the caller can drop it.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) -> DatagramReceipt? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        while true {
            let count = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.recvfrom(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_TRUNC), $0, &length)
                }
            }
            if count < 0 {
                // A pending ICMP error is reported once by the next receive, ahead of the
                // datagrams still waiting: read on past it (it is kept in the error queue).
                if errno == EINTR || errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH { continue }
                return nil
            }
            guard let endpoint = DatagramSocket.endpoint(of: storage) else { return nil }
            return DatagramReceipt(length: count, sender: endpoint)
        }
    }

    /// Drains the error queue and returns the destinations whose hosts answered that nothing
    /// listens on the port (ICMP port unreachable), oldest first. Other errors are dropped.
    /// `poll` reports `POLLERR` while the queue holds anything, so the reader calls this then.
    public func takeRefusals() -> [DatagramEndpoint] {
        var refused: [DatagramEndpoint] = []
        var payload = [UInt8](repeating: 0, count: 64)
        var control = [UInt8](repeating: 0, count: 256)
        // Bounded, like any batch the reader takes, so a flood of errors cannot starve it.
        for _ in 0..<256 {
            var storage = sockaddr_storage()
            let count = payload.withUnsafeMutableBytes { payloadBuffer in
                control.withUnsafeMutableBytes { controlBuffer in
                    withUnsafeMutablePointer(to: &storage) { name in
                        var vector = iovec(iov_base: payloadBuffer.baseAddress, iov_len: payloadBuffer.count)
                        return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                            var message = msghdr(
                                msg_name: UnsafeMutableRawPointer(name), msg_namelen: socklen_t(MemoryLayout<sockaddr_storage>.size),
                                msg_iov: vectorPointer, msg_iovlen: 1,
                                msg_control: controlBuffer.baseAddress, msg_controllen: controlBuffer.count, msg_flags: 0)
                            let received = Glibc.recvmsg(descriptor, &message, Int32(MSG_ERRQUEUE) | Int32(MSG_DONTWAIT))
                            return received < 0 ? -1 : Int(message.msg_controllen)
                        }
                    }
                }
            }
            if count < 0 {
                if errno == EINTR { continue }
                break
            }
            if Self.extendedErrorCode(inControl: control.prefix(count)) == ECONNREFUSED, let endpoint = Self.endpoint(of: storage) {
                refused.append(endpoint)
            }
        }
        return refused
    }

    /// The `ee_errno` of the first IP(v6)_RECVERR control message, read by hand because the
    /// CMSG macros do not reach Swift: a `cmsghdr` (length, level, type), then, aligned to the
    /// word size, a `sock_extended_err` whose first field is the error number.
    static func extendedErrorCode(inControl control: ArraySlice<UInt8>) -> Int32? {
        let bytes = Array(control)
        let headerLength = MemoryLayout<cmsghdr>.size
        let alignment = MemoryLayout<Int>.size
        var offset = 0
        while offset + headerLength <= bytes.count {
            let header = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: cmsghdr.self) }
            let length = Int(header.cmsg_len)
            guard length >= headerLength, offset + length <= bytes.count else { return nil }
            let dataOffset = offset + (headerLength + alignment - 1) / alignment * alignment
            let isError = (header.cmsg_level == Int32(IPPROTO_IP) && header.cmsg_type == IP_RECVERR)
                || (header.cmsg_level == Int32(IPPROTO_IPV6) && header.cmsg_type == IPV6_RECVERR)
            if isError, dataOffset + 4 <= offset + length {
                return Int32(bitPattern: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: dataOffset, as: UInt32.self) })
            }
            offset += (length + alignment - 1) / alignment * alignment
        }
        return nil
    }

    /// Closes the socket; later sends fail and later calls do nothing.
    public func close() {
        closed.withLock { isClosed in
            if !isClosed {
                isClosed = true
                Glibc.close(descriptor)
            }
        }
    }

    public var isClosed: Bool { closed.withLock { $0 } }

    private func resolve(_ endpoint: DatagramEndpoint) -> SocketAddress? {
        if let cached = destinations.withLock({ $0[endpoint] }) { return cached }
        guard let resolved = try? SocketAddressResolver.resolve(host: endpoint.host, port: Int(endpoint.port), passive: false),
              let address = resolved.first(where: { $0.family == family }) ?? resolved.first
        else { return nil }
        destinations.withLock { cache in
            if cache.count >= Self.maximumCachedDestinations { cache.removeAll(keepingCapacity: true) }
            cache[endpoint] = address
        }
        return address
    }

    static func endpoint(of storage: sockaddr_storage) -> DatagramEndpoint? {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var raw = address.pointee.sin_addr
                    guard inet_ntop(AF_INET, &raw, &text, socklen_t(text.count)) != nil else { return nil }
                    return DatagramEndpoint(host: Self.string(text), port: UInt16(bigEndian: address.pointee.sin_port))
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var raw = address.pointee.sin6_addr
                    guard inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count)) != nil else { return nil }
                    return DatagramEndpoint(host: Self.string(text), port: UInt16(bigEndian: address.pointee.sin6_port))
                }
            }
        default:
            return nil
        }
    }

    /// The text of a NUL-terminated C buffer.
    static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
