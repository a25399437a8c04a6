import ClusterSecurity
import Platform
import Raft
import Sodium
import Synchronization

/// A `PeerChannel` between managers that authenticates both ends with their cluster
/// certificates and encrypts every frame (docs/security.md): the channel handshake, then one
/// secretstream per direction. Frame lengths are checked against the cap before anything is
/// decrypted (`FrameStream`), and a frame that does not authenticate ends the connection.
public final class SecurePeerChannel: PeerChannel {
    public let peer: RaftNodeID
    /// The peer's checked certificate: always a manager's, naming `peer` as its node ID.
    public let peerCertificate: SignedCertificate?
    private let stream: FrameStream
    /// Serialises sealing and writing: the secretstream state must advance in the order the
    /// frames go out.
    private let sealer: Mutex<SecretStreamSealer>
    private let opener: SecretStreamOpener

    init(peer: RaftNodeID, peerCertificate: SignedCertificate?, stream: FrameStream, sealer: SecretStreamSealer, opener: SecretStreamOpener) {
        self.peer = peer
        self.peerCertificate = peerCertificate
        self.stream = stream
        self.sealer = Mutex(sealer)
        self.opener = opener
    }

    public func send(_ payload: [UInt8], deadline: ContinuousClock.Instant?) throws(TransportError) {
        try send(batch: [payload], deadline: deadline)
    }

    public func send(batch payloads: [[UInt8]], deadline: ContinuousClock.Instant?) throws(TransportError) {
        try sealer.withLock { sealer throws(TransportError) in
            try stream.send(batch: payloads.map { sealer.seal($0) }, deadline: deadline)
        }
    }

    public func receive() throws(TransportError) -> [UInt8]? {
        guard let sealed = try stream.receive() else { return nil }
        do {
            let (payload, isFinal) = try opener.open(sealed)
            return isFinal ? nil : payload
        } catch {
            throw .handshake("a frame from \(peer) did not authenticate (\(error)); closing the connection")
        }
    }

    public var peerHasClosed: Bool { stream.peerHasClosed }
    public var canSendWithoutBlocking: Bool { stream.hasSendRoom }
    public func shutdown() { stream.socket.shutdown() }
    public func close() { stream.socket.close() }

    /// The Raft ID a manager's certificate names (its node ID is the ID in hexadecimal).
    static func raftID(of certificate: SignedCertificate) -> RaftNodeID? {
        guard certificate.certificate.role == .manager, let raw = UInt64(certificate.certificate.nodeID, radix: 16), raw != 0 else { return nil }
        return RaftNodeID(raw)
    }
}

/// Runs the channel handshake on new manager connections. `policy` is read for every
/// connection, so a revocation or a new CA key takes effect on the next one.
public struct SecurePeerChannelFactory: PeerChannelFactory {
    let identity: @Sendable () -> NodeIdentity
    let policy: @Sendable () -> CertificatePolicy
    let now: @Sendable () -> Int64

    public init(
        identity: @escaping @Sendable () -> NodeIdentity, policy: @escaping @Sendable () -> CertificatePolicy,
        now: @escaping @Sendable () -> Int64
    ) {
        self.identity = identity
        self.policy = policy
        self.now = now
    }

    static let handshakeFrameLimit = 4_096

    public func connect(
        _ socket: Socket, local: RaftNodeID, remote: RaftNodeID, maxFrameSize: Int, deadline: ContinuousClock.Instant
    ) throws(TransportError) -> any PeerChannel {
        let stream = FrameStream(socket: socket, maxFrameSize: Self.handshakeFrameLimit)
        var policy = policy()
        policy.allowedRoles = [.manager]
        let initiator = ChannelInitiator(identity: identity(), policy: policy, purpose: .raft)
        try stream.send(initiator.firstMessage, deadline: deadline)
        guard let serverHello = try stream.receive(deadline: deadline) else { throw .truncated }
        let reply: [UInt8]
        let session: ChannelSession
        do {
            (reply, session) = try initiator.receive(serverHello: serverHello, now: now())
        } catch {
            throw .handshake(error.description)
        }
        guard let peerCertificate = session.peer, let peer = SecurePeerChannel.raftID(of: peerCertificate), peer == remote else {
            throw .handshake("expected manager \(remote), reached \(session.peer?.certificate.nodeName ?? "?")")
        }
        try stream.send(reply, deadline: deadline)
        return try Self.openStreams(stream, session: session, peer: peer, maxFrameSize: maxFrameSize, deadline: deadline)
    }

    public func accept(
        _ socket: Socket, local: RaftNodeID, maxFrameSize: Int, deadline: ContinuousClock.Instant
    ) throws(TransportError) -> any PeerChannel {
        let stream = FrameStream(socket: socket, maxFrameSize: Self.handshakeFrameLimit)
        var policy = policy()
        // Only managers speak Raft. Workers open their channels with another purpose, which
        // the transport hands to the worker service before this runs.
        policy.allowedRoles = [.manager]
        var responder = ChannelResponder(identity: identity(), policy: policy, purpose: .raft)
        guard let hello = try stream.receive(deadline: deadline) else { throw .truncated }
        let session: ChannelSession
        do {
            try stream.send(try responder.receive(clientHello: hello), deadline: deadline)
            guard let finish = try stream.receive(deadline: deadline) else { throw TransportError.truncated }
            session = try responder.receive(clientFinish: finish, now: now())
        } catch let error as HandshakeFailure {
            throw .handshake(error.description)
        } catch let error as TransportError {
            throw error
        } catch {
            throw .handshake("\(error)")
        }
        guard let peerCertificate = session.peer else { throw .handshake("the peer presented no certificate") }
        guard let peer = SecurePeerChannel.raftID(of: peerCertificate) else { throw .handshake("the peer's certificate names no Raft ID") }
        return try Self.openStreams(stream, session: session, peer: peer, maxFrameSize: maxFrameSize, deadline: deadline)
    }

    /// Each side sends the header of the stream it will seal with, then reads the other's.
    private static func openStreams(
        _ stream: FrameStream, session: ChannelSession, peer: RaftNodeID, maxFrameSize: Int, deadline: ContinuousClock.Instant
    ) throws(TransportError) -> SecurePeerChannel {
        guard let sealer = SecretStreamSealer(key: session.keys.transmit) else { throw .handshake("unusable session key") }
        try stream.send(sealer.header, deadline: deadline)
        guard let header = try stream.receive(deadline: deadline) else { throw .truncated }
        guard let opener = SecretStreamOpener(key: session.keys.receive, header: header) else { throw .handshake("malformed stream header") }
        stream.maxFrameSize = maxFrameSize + SecretStreamSealer.overhead
        return SecurePeerChannel(peer: peer, peerCertificate: session.peer, stream: stream, sealer: sealer, opener: opener)
    }
}
