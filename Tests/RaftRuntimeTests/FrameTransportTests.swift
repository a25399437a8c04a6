import Foundation
import Glibc
import Platform
import Raft
import Synchronization
import Testing

@testable import RaftRuntime

/// Collects delivered frames and lets a test wait for a number of them.
final class Inbox: Sendable {
    private let frames = Mutex<[(RaftNodeID, [UInt8])]>([])

    var handler: @Sendable (RaftNodeID, [UInt8]) -> Void {
        { sender, frame in self.frames.withLock { $0.append((sender, frame)) } }
    }

    var received: [(RaftNodeID, [UInt8])] { frames.withLock { $0 } }

    /// Waits until `count` frames arrived, failing after a generous deadline (a hang guard,
    /// not a timing assertion).
    func wait(for count: Int, within limit: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while frames.withLock({ $0.count }) < count {
            guard ContinuousClock.now < deadline else {
                Issue.record("only \(frames.withLock { $0.count }) of \(count) frames arrived")
                return
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

@Suite("Frame transport") struct FrameTransportTests {
    static let one = RaftNodeID(1)
    static let two = RaftNodeID(2)

    static func frame(_ number: Int, size: Int) -> [UInt8] {
        var bytes = withUnsafeBytes(of: UInt32(number).bigEndian) { Array($0) }
        bytes += (0..<max(0, size - 4)).map { UInt8(truncatingIfNeeded: number &+ $0) }
        return bytes
    }

    @Test func framesArriveIntactAndInOrderWithTheSendersIdentity() async throws {
        let inbox = Inbox()
        let receiver = try FrameTransport(localID: Self.two, handler: inbox.handler)
        let sender = try FrameTransport(localID: Self.one, handler: { _, _ in })
        sender.setPeer(Self.two, host: "127.0.0.1", port: receiver.port)
        // Sizes straddle the read buffer (64 KiB) and include empty frames.
        let sizes = [0, 1, 5, 100, 65_531, 65_536, 65_537, 300_000, 4, 70_000] + Array(repeating: 37, count: 500)
        for (number, size) in sizes.enumerated() { #expect(sender.send(Self.frame(number, size: size), to: Self.two)) }
        try await inbox.wait(for: sizes.count)
        let received = inbox.received
        #expect(received.count == sizes.count)
        for (number, (from, bytes)) in received.enumerated() {
            #expect(from == Self.one)
            #expect(bytes == Self.frame(number, size: sizes[number]), "frame \(number)")
        }
        #expect(sender.statistics.framesSent == sizes.count && receiver.statistics.framesReceived == sizes.count)
        await sender.shutdown()
        await receiver.shutdown()
    }

    @Test func framesSentOverAnOpenConnectionKeepTheirOrderWhetherWrittenAtOnceOrQueued() async throws {
        let inbox = Inbox()
        let receiver = try FrameTransport(localID: Self.two, handler: inbox.handler)
        let sender = try FrameTransport(localID: Self.one, handler: { _, _ in })
        sender.setPeer(Self.two, host: "127.0.0.1", port: receiver.port)
        #expect(sender.send(Self.frame(0, size: 8), to: Self.two))
        try await inbox.wait(for: 1)
        // Small frames may be written by the caller; big ones (and whatever follows them while
        // they are queued) go through the peer's thread. The receiver must see one order.
        let sizes = (1..<2_000).map { $0 % 97 == 0 ? 40_000 : 8 + $0 % 50 }
        for (offset, size) in sizes.enumerated() { sender.send(Self.frame(offset + 1, size: size), to: Self.two) }
        try await inbox.wait(for: sizes.count + 1)
        let received = inbox.received
        #expect(received.count == sizes.count + 1)
        for (number, (_, bytes)) in received.enumerated().dropFirst() {
            #expect(bytes == Self.frame(number, size: sizes[number - 1]), "frame \(number)")
        }
        await sender.shutdown()
        await receiver.shutdown()
    }

    @Test func whenAPeersConnectionEndsTheReceiverIsToldWhichPeerWentAway() async throws {
        let inbox = Inbox()
        let gone = Mutex<[RaftNodeID]>([])
        let receiver = try FrameTransport(localID: Self.two, handler: inbox.handler)
        receiver.onInboundConnectionClosed { peer in gone.withLock { $0.append(peer) } }
        let sender = try FrameTransport(localID: Self.one, handler: { _, _ in })
        sender.setPeer(Self.two, host: "127.0.0.1", port: receiver.port)
        sender.send(Self.frame(0, size: 8), to: Self.two)
        try await inbox.wait(for: 1)
        #expect(gone.withLock { $0 }.isEmpty)
        await sender.shutdown()
        let told = await eventuallyTrue { gone.withLock { $0 } == [Self.one] }
        #expect(told)
        await receiver.shutdown()
    }

    /// Polls `condition` for up to 20 s (a hang guard, not a timing assertion).
    func eventuallyTrue(_ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while !condition() && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(2)) }
        return condition()
    }

    /// Speaks the plain handshake by hand, as `PlainPeerChannelFactory.connect` does.
    static func handshake(_ socket: Socket, as local: RaftNodeID, to remote: RaftNodeID) throws {
        let stream = FrameStream(socket: socket, maxFrameSize: 64)
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        try stream.send(PlainPeerChannel.hello(from: local, to: remote), deadline: deadline)
        let answer = try #require(try stream.receive(deadline: deadline))
        #expect(try PlainPeerChannel.parseHello(answer).sender == remote)
    }

    @Test func aFrameOverTheCapClosesTheConnectionBeforeItsPayloadIsRead() async throws {
        let inbox = Inbox()
        var settings = FrameTransportSettings()
        settings.maxFrameSize = 1024
        let receiver = try FrameTransport(localID: Self.two, settings: settings, handler: inbox.handler)
        let socket = try Socket.connect(host: "127.0.0.1", port: receiver.port, timeout: .seconds(5))
        defer { socket.close() }
        try Self.handshake(socket, as: Self.one, to: Self.two)
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        // One good frame, then a length prefix of 4 GiB - 1 with no payload behind it: a
        // receiver that tried to read (or allocate) the payload would wait forever.
        try socket.sendAll([0, 0, 0, 3, 7, 8, 9], deadline: deadline)
        try socket.sendAll([0xFF, 0xFF, 0xFF, 0xFF], deadline: deadline)
        #expect(socket.waitUntilReadable(deadline: deadline))
        var byte = [UInt8](repeating: 0, count: 1)
        let result = byte.withUnsafeMutableBytes { socket.receive(into: $0) }
        #expect(result == .endOfFile || { if case .failed = result { return true } else { return false } }())
        try await inbox.wait(for: 1)
        #expect(inbox.received.map(\.1) == [[7, 8, 9]])
        #expect(receiver.statistics.oversizeFramesRejected == 1)
        await receiver.shutdown()
    }

    @Test func aConnectionThatDialedTheWrongNodeIsRefused() async throws {
        let receiver = try FrameTransport(localID: Self.two, handler: { _, _ in })
        let socket = try Socket.connect(host: "127.0.0.1", port: receiver.port, timeout: .seconds(5))
        defer { socket.close() }
        let stream = FrameStream(socket: socket, maxFrameSize: 64)
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        try stream.send(PlainPeerChannel.hello(from: Self.one, to: RaftNodeID(3)), deadline: deadline)
        #expect(try stream.receive(deadline: deadline) == nil)
        #expect(receiver.statistics.handshakeFailures == 1)
        await receiver.shutdown()
    }

    @Test func theSenderReconnectsAfterThePeerRestartsOnTheSamePort() async throws {
        let firstInbox = Inbox()
        let receiver = try FrameTransport(localID: Self.two, handler: firstInbox.handler)
        let port = receiver.port
        var settings = FrameTransportSettings()
        settings.initialBackoff = .milliseconds(5)
        settings.maxBackoff = .milliseconds(50)
        let sender = try FrameTransport(localID: Self.one, settings: settings, handler: { _, _ in })
        sender.setPeer(Self.two, host: "127.0.0.1", port: port)
        sender.send([1], to: Self.two)
        try await firstInbox.wait(for: 1)
        await receiver.shutdown()

        let secondInbox = Inbox()
        let restarted = try FrameTransport(localID: Self.two, port: port, handler: secondInbox.handler)
        // Frames sent into the dead connection may be lost (Raft resends); keep sending until
        // the restarted peer hears one, as a Raft heartbeat would.
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        var number = 2
        while secondInbox.received.isEmpty && ContinuousClock.now < deadline {
            sender.send([UInt8(truncatingIfNeeded: number)], to: Self.two)
            number += 1
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(!secondInbox.received.isEmpty)
        #expect(sender.statistics.outboundConnections >= 2)
        await sender.shutdown()
        await restarted.shutdown()
    }

    @Test func aPeerGivenANewAddressIsRedialedThereAndARemovedPeerGetsNothingMore() async throws {
        let oldInbox = Inbox()
        let newInbox = Inbox()
        let old = try FrameTransport(localID: Self.two, handler: oldInbox.handler)
        let new = try FrameTransport(localID: Self.two, handler: newInbox.handler)
        let sender = try FrameTransport(localID: Self.one, handler: { _, _ in })
        sender.setPeer(Self.two, host: "127.0.0.1", port: old.port)
        sender.send([1], to: Self.two)
        try await oldInbox.wait(for: 1)
        sender.setPeer(Self.two, host: "127.0.0.1", port: new.port)
        // The frame that first notices the address change may go down with the old connection.
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while newInbox.received.isEmpty && ContinuousClock.now < deadline {
            sender.send([2], to: Self.two)
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(!newInbox.received.isEmpty)
        sender.removePeer(Self.two)
        #expect(!sender.send([3], to: Self.two))
        await sender.shutdown()
        await old.shutdown()
        await new.shutdown()
    }

    @Test func aFullQueueDropsTheOldestFramesAndCountsThem() async throws {
        // A peer that is not listening: everything stays queued.
        let placeholder = try Listener(host: "127.0.0.1", port: 0)
        let port = placeholder.port
        placeholder.close()
        var settings = FrameTransportSettings()
        settings.queueCapacity = 4
        settings.initialBackoff = .seconds(10)
        settings.maxBackoff = .seconds(10)
        let sender = try FrameTransport(localID: Self.one, settings: settings, handler: { _, _ in })
        sender.setPeer(Self.two, host: "127.0.0.1", port: port)
        for number in 0..<10 { sender.send([UInt8(number)], to: Self.two) }
        #expect(sender.queuedFrames(for: Self.two) == 4)
        #expect(sender.statistics.framesDroppedQueueFull == 6)
        #expect(!sender.send([1], to: RaftNodeID(7)))
        #expect(sender.statistics.framesToUnknownPeers == 1)
        await sender.shutdown()
    }
}

@Suite("Frame transport input") struct FrameTransportInputTests {
    @Test func garbageBeforeOrAfterTheHandshakeNeverStopsTheReceiverServingHonestPeers() async throws {
        let inbox = Inbox()
        var settings = FrameTransportSettings()
        settings.maxFrameSize = 4096
        settings.handshakeTimeout = .seconds(2)
        let receiver = try FrameTransport(localID: FrameTransportTests.two, settings: settings, handler: inbox.handler)
        var generator = SystemRandomNumberGenerator()
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        for attempt in 0..<40 {
            let socket = try Socket.connect(host: "127.0.0.1", port: receiver.port, timeout: .seconds(5))
            if attempt % 2 == 1 {
                try FrameTransportTests.handshake(socket, as: FrameTransportTests.one, to: FrameTransportTests.two)
            }
            let garbage = (0..<Int.random(in: 1...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try? socket.sendAll(garbage, deadline: deadline)
            socket.close()
        }
        let sender = try FrameTransport(localID: FrameTransportTests.one, handler: { _, _ in })
        sender.setPeer(FrameTransportTests.two, host: "127.0.0.1", port: receiver.port)
        sender.send(Array("still serving".utf8), to: FrameTransportTests.two)
        let before = inbox.received.count
        try await inbox.wait(for: before + 1)
        #expect(inbox.received.last.map { String(decoding: $0.1, as: UTF8.self) } == "still serving")
        await sender.shutdown()
        await receiver.shutdown()
    }
}
