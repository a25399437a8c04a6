import Platform

/// Length-prefixed frames over a TCP connection: a 4-byte big-endian length, then a sealed
/// packet. Every read and write has a deadline, so a silent peer cannot hold a thread.
enum GossipStream {
    static func writeFrame(_ packet: [UInt8], to socket: Socket, deadline: ContinuousClock.Instant) throws(SocketError) {
        var frame: [UInt8] = []
        frame.reserveCapacity(packet.count + 4)
        GossipPacketHeader.append(UInt64(packet.count), width: 4, to: &frame)
        frame += packet
        try socket.sendAll(frame, deadline: deadline)
    }

    static func readFrame(from socket: Socket, deadline: ContinuousClock.Instant) throws(SocketError) -> [UInt8] {
        let prefix = try read(count: 4, from: socket, deadline: deadline)
        let length = Int(GossipPacketHeader.read(prefix[...], at: 0, width: 4))
        guard length <= GossipPacket.maximumFrameLength else {
            throw SocketError(operation: "read frame", code: 0, reason: "frame of \(length) bytes is too long")
        }
        return try read(count: length, from: socket, deadline: deadline)
    }

    private static func read(count: Int, from socket: Socket, deadline: ContinuousClock.Instant) throws(SocketError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let result = bytes.withUnsafeMutableBytes { buffer in
                socket.receive(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            }
            switch result {
            case .transferred(let n): filled += n
            case .wouldBlock:
                guard socket.waitUntilReadable(deadline: deadline), ContinuousClock.now < deadline else {
                    throw SocketError(operation: "read frame", code: 0, reason: "timed out")
                }
            case .endOfFile: throw SocketError(operation: "read frame", code: 0, reason: "connection closed early")
            case .failed(let error): throw error
            }
        }
        return bytes
    }
}
