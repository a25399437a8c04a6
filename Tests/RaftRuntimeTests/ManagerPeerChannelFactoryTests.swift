import ClusterSecurity
import Foundation
import Raft
import Synchronization
import Testing

@testable import RaftRuntime

/// A manager's Raft connections as its credentials allow: encrypted between managers that hold
/// certificates, plain only where a founding manager could not do otherwise, and never plain
/// into a manager whose cluster was founded alone.
@Suite("Manager peer channels") struct ManagerPeerChannelFactoryTests {
    final class Log: Sendable {
        private let lines = Mutex<[String]>([])
        var write: @Sendable (String) -> Void { { line in self.lines.withLock { $0.append(line) } } }
        var all: [String] { lines.withLock { $0 } }
    }

    static func credentials(_ id: RaftNodeID, authority: ClusterAuthority, serial: UInt64) -> ManagerChannelCredentials {
        ManagerChannelCredentials(identity: SecurePeerChannelTests.identity(id, authority: authority, serial: serial), policy: authority.policy())
    }

    static func factory(
        _ credentials: ManagerChannelCredentials?, acceptsPlain: Bool, log: Log = Log(), fallback: Duration = .seconds(30)
    ) -> ManagerPeerChannelFactory {
        ManagerPeerChannelFactory(
            credentials: { credentials }, acceptsPlain: { acceptsPlain }, now: SecurePeerChannelTests.now, plainFallbackTime: fallback,
            log: log.write)
    }

    @Test func aManagerWhoseClusterWasFoundedAloneRefusesPlainRaftButHearsItsPeersEncryptedChannel() async throws {
        let authority = ClusterAuthority.create()
        let inbox = Inbox()
        let log = Log()
        let receiver = try FrameTransport(
            localID: FrameTransportTests.two,
            channels: Self.factory(Self.credentials(FrameTransportTests.two, authority: authority, serial: 2), acceptsPlain: false, log: log),
            handler: inbox.handler)
        let plainSender = try FrameTransport(localID: RaftNodeID(5), handler: { _, _ in })
        plainSender.setPeer(FrameTransportTests.two, host: "127.0.0.1", port: receiver.port)
        _ = plainSender.send([6, 6, 6], to: FrameTransportTests.two)
        let peer = try FrameTransport(
            localID: FrameTransportTests.one,
            channels: Self.factory(Self.credentials(FrameTransportTests.one, authority: authority, serial: 1), acceptsPlain: false),
            handler: { _, _ in })
        peer.setPeer(FrameTransportTests.two, host: "127.0.0.1", port: receiver.port)
        _ = peer.send([9], to: FrameTransportTests.two)

        try await inbox.wait(for: 1)
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while !log.all.contains(where: { $0.contains("refused a plain") }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(log.all.contains { $0.contains("refused a plain (unencrypted, unauthenticated) Raft connection") })
        #expect(inbox.received.map(\.0) == [FrameTransportTests.one])
        #expect(inbox.received.map(\.1) == [[9]])
        await plainSender.shutdown()
        await peer.shutdown()
        await receiver.shutdown()
    }

    /// Founders of one cluster: one already holds a certificate, the other is still waiting for
    /// the cluster identity. The first one's encrypted dial is refused, it falls back to plain,
    /// and Raft keeps flowing; a manager that accepts no plain never falls back.
    @Test func aFounderStillWithoutACertificateIsReachedPlainByAFounderThatHasOne() async throws {
        let authority = ClusterAuthority.create()
        let inbox = Inbox()
        let founderLog = Log()
        let waitingFounder = try FrameTransport(
            localID: FrameTransportTests.two, channels: Self.factory(nil, acceptsPlain: true, log: founderLog), handler: inbox.handler)
        let senderLog = Log()
        let certifiedFounder = try FrameTransport(
            localID: FrameTransportTests.one,
            channels: Self.factory(Self.credentials(FrameTransportTests.one, authority: authority, serial: 1), acceptsPlain: true, log: senderLog),
            handler: { _, _ in })
        certifiedFounder.setPeer(FrameTransportTests.two, host: "127.0.0.1", port: waitingFounder.port)
        _ = certifiedFounder.send([1], to: FrameTransportTests.two)
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while inbox.received.isEmpty, ContinuousClock.now < deadline {
            _ = certifiedFounder.send([2], to: FrameTransportTests.two)
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(!inbox.received.isEmpty, "the waiting founder must hear from its certified peer")
        #expect(inbox.received.allSatisfy { $0.0 == FrameTransportTests.one })
        #expect(founderLog.all.contains { $0.contains("no certificate yet") })
        #expect(senderLog.all.contains { $0.contains("dialing it plain") })

        let strictInbox = Inbox()
        let strictTarget = try FrameTransport(
            localID: RaftNodeID(3), channels: Self.factory(nil, acceptsPlain: true), handler: strictInbox.handler)
        let strict = try FrameTransport(
            localID: RaftNodeID(4),
            channels: Self.factory(Self.credentials(RaftNodeID(4), authority: authority, serial: 4), acceptsPlain: false), handler: { _, _ in })
        strict.setPeer(RaftNodeID(3), host: "127.0.0.1", port: strictTarget.port)
        for _ in 0..<10 {
            _ = strict.send([7], to: RaftNodeID(3))
            try await Task.sleep(for: .milliseconds(50))
        }
        while strict.statistics.handshakeFailures < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(strict.statistics.handshakeFailures >= 2)
        #expect(strictInbox.received.isEmpty, "a manager that accepts no plain Raft must never send plain")
        for transport in [certifiedFounder, waitingFounder, strict, strictTarget] { await transport.shutdown() }
    }

    /// What an eavesdropper on the link between two managers sees: with certificates, none of
    /// the Raft payload; with plain channels (the control), all of it.
    @Test func anEavesdropperBetweenCertifiedManagersSeesNoneOfTheRaftPayload() async throws {
        let marker = Array("job-secret-marker-7f3a".utf8)
        func bytesOnTheWire(encrypted: Bool) async throws -> [UInt8] {
            let authority = ClusterAuthority.create()
            let inbox = Inbox()
            let receiver = try FrameTransport(
                localID: FrameTransportTests.two,
                channels: Self.factory(encrypted ? Self.credentials(FrameTransportTests.two, authority: authority, serial: 2) : nil, acceptsPlain: !encrypted),
                handler: inbox.handler)
            let tap = try WireTap(forwardingTo: receiver.port)
            let sender = try FrameTransport(
                localID: FrameTransportTests.one,
                channels: Self.factory(encrypted ? Self.credentials(FrameTransportTests.one, authority: authority, serial: 1) : nil, acceptsPlain: !encrypted),
                handler: { _, _ in })
            sender.setPeer(FrameTransportTests.two, host: "127.0.0.1", port: tap.port)
            _ = sender.send([0] + marker + [0], to: FrameTransportTests.two)
            try await inbox.wait(for: 1)
            #expect(inbox.received.first?.1 == [0] + marker + [0])
            await sender.shutdown()
            await receiver.shutdown()
            tap.stop()
            return tap.bytes
        }
        func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
            guard haystack.count >= needle.count else { return false }
            return (0...(haystack.count - needle.count)).contains { Array(haystack[$0..<($0 + needle.count)]) == needle }
        }
        let encrypted = try await bytesOnTheWire(encrypted: true)
        let plain = try await bytesOnTheWire(encrypted: false)
        #expect(!encrypted.isEmpty)
        #expect(!contains(encrypted, marker), "the marker crossed the link in the clear between certified managers")
        #expect(contains(plain, marker), "control: over plain Raft the marker is visible")
    }
}
