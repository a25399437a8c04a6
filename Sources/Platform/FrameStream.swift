import Glibc

/// Length-prefixed frames over a socket: `[length u32 big endian][payload]`.
///
/// The length is checked against the cap as soon as its four bytes are in, BEFORE any byte of
/// the payload is read or any buffer for it allocated: a peer (or a damaged stream) claiming
/// 4 GiB costs nothing but the connection. Reads go through a 64 KiB buffer so small frames
/// cost one `recv` for many.
///
/// Shared by the Raft transport (RaftRuntime) and the worker RPC channel (ClusterRPC), which
/// is why it lives at the OS edge rather than in either.
///
/// Not thread-safe, except `shutdown()`: one reader and one writer at a time.
public final class FrameStream: @unchecked Sendable {
    // @unchecked: the read buffer is only touched by the one receiving thread; the socket is
    // Sendable and its shutdown is safe from any thread.
    public let socket: Socket
    /// The cap; raised once a handshake (whose frames are tiny) is over.
    public var maxFrameSize: Int
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0

    public init(socket: Socket, maxFrameSize: Int) {
        self.socket = socket
        self.maxFrameSize = maxFrameSize
        self.buffer = [UInt8](repeating: 0, count: 64 * 1024)
    }

    public func send(_ payload: [UInt8], deadline: ContinuousClock.Instant?) throws(TransportError) {
        try send(batch: [payload], deadline: deadline)
    }

    /// Writes the frames back to back with one `send` when the kernel takes them all.
    public func send(batch payloads: [[UInt8]], deadline: ContinuousClock.Instant?) throws(TransportError) {
        var total = 0
        for payload in payloads {
            guard payload.count <= maxFrameSize else {
                throw .oversizeFrame(length: UInt64(payload.count), limit: maxFrameSize)
            }
            total += 4 + payload.count
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(total)
        for payload in payloads {
            let length = UInt32(payload.count)
            bytes.append(contentsOf: [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)])
            bytes.append(contentsOf: payload)
        }
        do {
            try socket.sendAll(bytes, deadline: deadline)
        } catch {
            throw error.code == ETIMEDOUT ? .timedOut("send") : .socket(error)
        }
    }

    /// The next frame; nil when the stream ends cleanly between frames.
    public func receive(deadline: ContinuousClock.Instant? = nil) throws(TransportError) -> [UInt8]? {
        guard try fill(4, deadline: deadline, allowEnd: true) else { return nil }
        let length = UInt64(buffer[start]) << 24 | UInt64(buffer[start + 1]) << 16 | UInt64(buffer[start + 2]) << 8
            | UInt64(buffer[start + 3])
        guard length <= UInt64(maxFrameSize) else { throw .oversizeFrame(length: length, limit: maxFrameSize) }
        start += 4
        let count = Int(length)
        if count <= buffer.count {
            _ = try fill(count, deadline: deadline, allowEnd: false)
            defer { start += count }
            return Array(buffer[start..<(start + count)])
        }
        // A frame larger than the buffer: take what is buffered, then read straight into it.
        var payload = [UInt8](repeating: 0, count: count)
        let buffered = end - start
        if buffered > 0 { payload.replaceSubrange(0..<buffered, with: buffer[start..<end]) }
        start = 0
        end = 0
        var filled = buffered
        while filled < count {
            let result = payload.withUnsafeMutableBytes { socket.receive(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            switch result {
            case .transferred(let read): filled += read
            case .wouldBlock: try wait(deadline: deadline)
            case .endOfFile: throw .truncated
            case .failed(let error): throw .socket(error)
            }
        }
        return payload
    }

    /// True when the peer closed its side or reset the connection (a pending read would
    /// return end of file or an error rather than block).
    public var peerHasClosed: Bool {
        var entry = pollfd(fd: socket.descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, 0) > 0 else { return false }
        var probe: UInt8 = 0
        let count = recv(socket.descriptor, &probe, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
    }

    /// True when the socket's send buffer has room (the kernel reports it writable once a
    /// third of it is free, far more than a small frame needs), so a send will not block.
    public var hasSendRoom: Bool {
        var entry = pollfd(fd: socket.descriptor, events: Int16(POLLOUT), revents: 0)
        return poll(&entry, 1, 0) > 0 && entry.revents & Int16(POLLOUT) != 0 && entry.revents & Int16(POLLERR | POLLHUP) == 0
    }

    /// Makes at least `count` bytes available at `start`; false only when `allowEnd` and the
    /// stream ended before any of them arrived.
    private func fill(_ count: Int, deadline: ContinuousClock.Instant?, allowEnd: Bool) throws(TransportError) -> Bool {
        if end - start >= count { return true }
        if start + count > buffer.count {
            // Move the partial frame to the front.
            let pending = end - start
            buffer.withUnsafeMutableBytes { raw in
                raw.baseAddress!.copyMemory(from: raw.baseAddress! + start, byteCount: pending)
            }
            start = 0
            end = pending
        }
        while end - start < count {
            let result = buffer.withUnsafeMutableBytes { socket.receive(into: UnsafeMutableRawBufferPointer(rebasing: $0[end...])) }
            switch result {
            case .transferred(let read): end += read
            case .wouldBlock: try wait(deadline: deadline)
            case .endOfFile:
                if allowEnd && end == start { return false }
                throw .truncated
            case .failed(let error): throw .socket(error)
            }
        }
        return true
    }

    private func wait(deadline: ContinuousClock.Instant?) throws(TransportError) {
        guard socket.waitUntilReadable(deadline: deadline) else { throw .timedOut("receive") }
        if socket.isClosed { throw .socket(SocketError(operation: "receive", code: EBADF)) }
    }
}
