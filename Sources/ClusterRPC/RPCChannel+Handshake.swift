import ClusterSecurity
import Platform
import Sodium

extension RPCChannel {
    /// The dialing side (a worker): runs the initiator handshake on a connected socket and
    /// checks the manager's certificate against `policy` (which should allow managers only).
    public static func open(
        _ socket: Socket, identity: NodeIdentity, policy: CertificatePolicy, settings: RPCSettings = RPCSettings(), now: Int64
    ) throws(TransportError) -> RPCChannel {
        let deadline = ContinuousClock.now.advanced(by: settings.handshakeTimeout)
        let stream = FrameStream(socket: socket, maxFrameSize: RPCSettings.handshakeFrameLimit)
        let initiator = ChannelInitiator(identity: identity, policy: policy)
        try stream.send(initiator.firstMessage, deadline: deadline)
        guard let serverHello = try stream.receive(deadline: deadline) else { throw .truncated }
        let reply: [UInt8]
        let session: ChannelSession
        do {
            (reply, session) = try initiator.receive(serverHello: serverHello, now: now)
        } catch {
            throw .handshake("the manager was refused: \(error.description)")
        }
        guard let peer = session.peer else { throw .handshake("the manager presented no certificate") }
        try stream.send(reply, deadline: deadline)
        return try openStreams(stream, session: session, peer: peer, settings: settings, deadline: deadline)
    }

    /// The accepting side (a manager): runs the responder handshake and checks the peer's
    /// certificate (CA, cluster, validity, revocation, role) against `policy`.
    ///
    /// `firstFrame` is the client's hello when something in front of this (the RPC port's
    /// inbound diversion) already read it from `stream` to decide where the connection goes.
    public static func accept(
        _ stream: FrameStream, firstFrame: [UInt8]? = nil, identity: NodeIdentity, policy: CertificatePolicy,
        settings: RPCSettings = RPCSettings(), now: Int64
    ) throws(TransportError) -> RPCChannel {
        let deadline = ContinuousClock.now.advanced(by: settings.handshakeTimeout)
        stream.maxFrameSize = RPCSettings.handshakeFrameLimit
        var responder = ChannelResponder(identity: identity, policy: policy)
        let hello: [UInt8]
        if let firstFrame {
            hello = firstFrame
        } else {
            guard let received = try stream.receive(deadline: deadline) else { throw .truncated }
            hello = received
        }
        let session: ChannelSession
        do {
            try stream.send(try responder.receive(clientHello: hello), deadline: deadline)
            guard let finish = try stream.receive(deadline: deadline) else { throw TransportError.truncated }
            session = try responder.receive(clientFinish: finish, now: now)
        } catch let error as HandshakeFailure {
            throw .handshake("the worker was refused: \(error.description)")
        } catch let error as TransportError {
            throw error
        } catch {
            throw .handshake("\(error)")
        }
        guard let peer = session.peer else { throw .handshake("the worker presented no certificate") }
        return try openStreams(stream, session: session, peer: peer, settings: settings, deadline: deadline)
    }

    /// Convenience for a freshly accepted socket.
    public static func accept(
        _ socket: Socket, identity: NodeIdentity, policy: CertificatePolicy, settings: RPCSettings = RPCSettings(), now: Int64
    ) throws(TransportError) -> RPCChannel {
        try accept(FrameStream(socket: socket, maxFrameSize: RPCSettings.handshakeFrameLimit), identity: identity, policy: policy,
                   settings: settings, now: now)
    }

    /// For a caller that ran the channel handshake itself (the RPC port's inbound diversion,
    /// which reads the peer's certificate to decide whether this is a worker's channel):
    /// exchanges the secretstream headers and returns the channel. Both sides must call this
    /// (or `open`/`accept`, which end with it) right after the handshake.
    public static func establish(
        over stream: FrameStream, session: ChannelSession, settings: RPCSettings = RPCSettings()
    ) throws(TransportError) -> RPCChannel {
        guard let peer = session.peer else { throw .handshake("the peer presented no certificate") }
        stream.maxFrameSize = RPCSettings.handshakeFrameLimit
        return try openStreams(
            stream, session: session, peer: peer, settings: settings, deadline: ContinuousClock.now.advanced(by: settings.handshakeTimeout))
    }

    /// Each side sends the header of the stream it will seal with, then reads the other's;
    /// only then is the cap raised from the handshake's to the channel's.
    private static func openStreams(
        _ stream: FrameStream, session: ChannelSession, peer: SignedCertificate, settings: RPCSettings, deadline: ContinuousClock.Instant
    ) throws(TransportError) -> RPCChannel {
        guard let sealer = SecretStreamSealer(key: session.keys.transmit) else { throw .handshake("unusable session key") }
        try stream.send(sealer.header, deadline: deadline)
        guard let header = try stream.receive(deadline: deadline) else { throw .truncated }
        guard let opener = SecretStreamOpener(key: session.keys.receive, header: header) else {
            throw .handshake("malformed stream header from \(peer.certificate.nodeName)")
        }
        stream.maxFrameSize = settings.maxFrameSize + SecretStreamSealer.overhead
        return RPCChannel(peer: peer, stream: stream, sealer: sealer, opener: opener, settings: settings)
    }
}
