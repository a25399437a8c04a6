import ClusterSecurity
import Foundation
import Raft
import Sodium
import Testing

@testable import RaftRuntime

/// Managers' Raft traffic over the authenticated, encrypted channel: frames arrive as sent
/// between members of one cluster, and nothing arrives from anyone else.
@Suite("Secure peer channel") struct SecurePeerChannelTests {
    static let now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }

    static func identity(_ id: RaftNodeID, authority: ClusterAuthority, role: NodeRole = .manager, serial: UInt64, validity: Int64 = 86_400) -> NodeIdentity {
        let key = Ed25519KeyPair.generate()
        return NodeIdentity(
            keyPair: key,
            certificate: authority.issue(
                serial: serial, nodeID: String(id.rawValue, radix: 16), nodeName: "m\(id)", role: role, publicKey: key.publicKey,
                now: now(), validity: validity))
    }

    static func factory(_ identity: NodeIdentity, policy: CertificatePolicy) -> SecurePeerChannelFactory {
        SecurePeerChannelFactory(identity: { identity }, policy: { policy }, now: now)
    }

    @Test func framesBetweenMembersArriveIntactAndInOrder() async throws {
        let authority = ClusterAuthority.create()
        let inbox = Inbox()
        let receiver = try FrameTransport(
            localID: FrameTransportTests.two, channels: Self.factory(Self.identity(FrameTransportTests.two, authority: authority, serial: 2), policy: authority.policy()),
            handler: inbox.handler)
        let sender = try FrameTransport(
            localID: FrameTransportTests.one, channels: Self.factory(Self.identity(FrameTransportTests.one, authority: authority, serial: 1), policy: authority.policy()),
            handler: { _, _ in })
        sender.setPeer(FrameTransportTests.two, host: "127.0.0.1", port: receiver.port)
        let sizes = [0, 1, 100, 65_536, 300_000] + Array(repeating: 37, count: 200)
        for (number, size) in sizes.enumerated() { _ = sender.send(FrameTransportTests.frame(number, size: size), to: FrameTransportTests.two) }
        try await inbox.wait(for: sizes.count)
        let received = inbox.received
        #expect(received.count == sizes.count)
        for (number, (from, bytes)) in received.enumerated() {
            #expect(from == FrameTransportTests.one)
            #expect(bytes == FrameTransportTests.frame(number, size: sizes[number]), "frame \(number)")
        }
        await sender.shutdown()
        await receiver.shutdown()
    }

    /// A sender whose certificate the receiver must refuse: signed by another cluster's CA,
    /// expired, revoked, or a worker's. The receiver gets nothing; the honest peer still can.
    @Test func nothingArrivesFromANodeTheClusterDoesNotAccept() async throws {
        let authority = ClusterAuthority.create()
        let revokedSerial: UInt64 = 66
        let inbox = Inbox()
        let policy = authority.policy(revokedSerials: [revokedSerial])
        let receiver = try FrameTransport(
            localID: FrameTransportTests.two, channels: Self.factory(Self.identity(FrameTransportTests.two, authority: authority, serial: 2), policy: policy),
            handler: inbox.handler)
        let strangers: [NodeIdentity] = [
            Self.identity(FrameTransportTests.one, authority: .create(), serial: 1),
            Self.identity(FrameTransportTests.one, authority: authority, serial: 5, validity: -120),
            Self.identity(FrameTransportTests.one, authority: authority, serial: revokedSerial),
            Self.identity(FrameTransportTests.one, authority: authority, role: .worker, serial: 7),
        ]
        var senders: [FrameTransport] = []
        for stranger in strangers {
            let sender = try FrameTransport(localID: FrameTransportTests.one, channels: Self.factory(stranger, policy: authority.policy()), handler: { _, _ in })
            sender.setPeer(FrameTransportTests.two, host: "127.0.0.1", port: receiver.port)
            _ = sender.send([1, 2, 3], to: FrameTransportTests.two)
            senders.append(sender)
        }
        let honest = try FrameTransport(
            localID: RaftNodeID(3), channels: Self.factory(Self.identity(RaftNodeID(3), authority: authority, serial: 3), policy: policy), handler: { _, _ in })
        honest.setPeer(FrameTransportTests.two, host: "127.0.0.1", port: receiver.port)
        _ = honest.send([9], to: FrameTransportTests.two)
        try await inbox.wait(for: 1)
        // Every stranger's handshake is refused by the receiver (each may retry; count them
        // until all four were refused at least once), and none of their frames ever lands.
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while receiver.statistics.handshakeFailures < strangers.count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(receiver.statistics.handshakeFailures >= strangers.count)
        #expect(inbox.received.map(\.0) == [RaftNodeID(3)])
        for sender in senders { await sender.shutdown() }
        await honest.shutdown()
        await receiver.shutdown()
    }
}
