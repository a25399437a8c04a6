import ClusterSecurity
import Foundation
import Raft
import Sodium
import Synchronization
import Testing

@testable import RaftRuntime

/// The RPC port serves more than Raft: a join hello and a worker's channel are handed to
/// their services, while managers' Raft frames keep arriving as before.
@Suite("Inbound diversion") struct InboundDiversionTests {
    final class Seen: Sendable {
        let frames = Mutex<[String]>([])
        func add(_ text: String) { frames.withLock { $0.append(text) } }
        var all: [String] { frames.withLock { $0 } }

        func wait(for count: Int) async throws {
            let deadline = ContinuousClock.now.advanced(by: .seconds(20))
            while all.count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        }
    }

    static func joinHello() -> [UInt8] {
        let authority = ClusterAuthority.create()
        let token = JoinToken.generate(caPublicKey: authority.keyPair.publicKey)
        return JoinInitiator(token: token, nodeName: "joiner", nodeKey: .generate()).firstMessage
    }

    @Test func aJoinHelloReachesTheJoinServiceWhileRaftFramesStillArriveOverPlainChannels() async throws {
        let inbox = Inbox()
        let seen = Seen()
        let hello = Self.joinHello()
        let diversion = InboundDiversion(join: { connection in
            let deadline = ContinuousClock.now.advanced(by: .seconds(10))
            guard let first = try? connection.receive(deadline: deadline) else { return }
            seen.add(first == hello ? "hello" : "other")
            try? connection.send(Array("welcome".utf8), deadline: deadline)
        })
        let receiver = try FrameTransport(localID: FrameTransportTests.two, diversion: diversion, handler: inbox.handler)
        let sender = try FrameTransport(localID: FrameTransportTests.one, handler: { _, _ in })
        sender.setPeer(FrameTransportTests.two, host: "127.0.0.1", port: receiver.port)
        _ = sender.send([1], to: FrameTransportTests.two)

        let joiner = try FramedConnection.connect(host: "127.0.0.1", port: receiver.port, timeout: .seconds(5), maxFrameSize: 4_096)
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        try joiner.send(hello, deadline: deadline)
        let answer = try joiner.receive(deadline: deadline)
        joiner.close()
        #expect(answer == Array("welcome".utf8))
        #expect(seen.all == ["hello"])

        _ = sender.send([2], to: FrameTransportTests.two)
        try await inbox.wait(for: 2)
        #expect(inbox.received.map(\.1) == [[1], [2]])
        #expect(inbox.received.allSatisfy { $0.0 == FrameTransportTests.one })
        await sender.shutdown()
        await receiver.shutdown()
    }

    /// Managers open Raft channels with their own purpose, so a worker's channel hello goes to
    /// the worker service even while Raft runs encrypted, and a worker's certificate cannot
    /// open a Raft channel.
    @Test func aWorkersChannelHelloReachesTheWorkerServiceWhileRaftIsEncryptedAndAWorkerCannotSpeakRaft() async throws {
        let authority = ClusterAuthority.create()
        let inbox = Inbox()
        let seen = Seen()
        let workerIdentity = SecurePeerChannelTests.identity(RaftNodeID(7), authority: authority, role: .worker, serial: 7)
        let diversion = InboundDiversion(channelHello: { stream in
            let deadline = ContinuousClock.now.advanced(by: .seconds(10))
            guard let hello = try? stream.receive(deadline: deadline) else { return }
            seen.add(hello.count > 3 && hello[2] == ChannelPurpose.rpc.helloByte ? "worker hello" : "other")
        })
        let manager = SecurePeerChannelTests.identity(FrameTransportTests.two, authority: authority, serial: 2)
        let receiver = try FrameTransport(
            localID: FrameTransportTests.two, channels: SecurePeerChannelTests.factory(manager, policy: authority.policy()), diversion: diversion,
            handler: inbox.handler)

        let worker = try FramedConnection.connect(host: "127.0.0.1", port: receiver.port, timeout: .seconds(5), maxFrameSize: 4_096)
        try worker.send(ChannelInitiator(identity: workerIdentity, policy: authority.policy()).firstMessage, deadline: ContinuousClock.now.advanced(by: .seconds(10)))
        try await seen.wait(for: 1)
        worker.close()

        let workerAsRaft = try FrameTransport(
            localID: RaftNodeID(7), channels: SecurePeerChannelTests.factory(workerIdentity, policy: authority.policy()), handler: { _, _ in })
        workerAsRaft.setPeer(FrameTransportTests.two, host: "127.0.0.1", port: receiver.port)
        _ = workerAsRaft.send([4, 2], to: FrameTransportTests.two)
        let peerManager = SecurePeerChannelTests.identity(FrameTransportTests.one, authority: authority, serial: 1)
        let managerSide = try FrameTransport(
            localID: FrameTransportTests.one, channels: SecurePeerChannelTests.factory(peerManager, policy: authority.policy()), handler: { _, _ in })
        managerSide.setPeer(FrameTransportTests.two, host: "127.0.0.1", port: receiver.port)
        _ = managerSide.send([9], to: FrameTransportTests.two)

        try await inbox.wait(for: 1)
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while receiver.statistics.handshakeFailures < 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(seen.all == ["worker hello"])
        #expect(receiver.statistics.handshakeFailures >= 1, "the worker's Raft handshake must be refused")
        #expect(inbox.received.map(\.0) == [FrameTransportTests.one])
        #expect(inbox.received.map(\.1) == [[9]])
        await workerAsRaft.shutdown()
        await managerSide.shutdown()
        await receiver.shutdown()
    }
}
