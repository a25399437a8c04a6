import ClusterSecurity
import Platform
import Raft
import Synchronization

/// A manager's certificate and key, and the policy it checks other managers with (the
/// cluster's CA and deny-list).
public struct ManagerChannelCredentials: Sendable {
    public var identity: NodeIdentity
    public var policy: CertificatePolicy

    public init(identity: NodeIdentity, policy: CertificatePolicy) {
        self.identity = identity
        self.policy = policy
    }
}

/// How a manager makes and accepts its Raft connections, as far as its credentials allow.
///
/// Why both kinds: a cluster's certificates come from its CA, and the CA is created by the
/// first leader and reaches the managers through Raft itself. A manager therefore starts
/// without a certificate, and Raft must run before it can have one:
///
/// - With credentials, it dials with the authenticated, encrypted channel (purpose "Raft").
/// - Without them (founding, before the cluster identity reached it), it can only dial and
///   accept plain connections, and refuses encrypted ones it cannot check.
/// - Plain inbound connections are refused once it has credentials, unless `acceptsPlain`:
///   the managers of a cluster founded together (`-bootstrap-expect` above 1) keep accepting
///   them, because one of them may still be waiting for the identity while the others already
///   dial encrypted. For the same reason their dials fall back to plain for a while after an
///   encrypted one to that peer fails. A cluster founded by one manager, whose other managers
///   joined with a token (and so hold certificates before Raft starts), never needs either.
///
/// Credentials and the policy are read for every connection, so a renewed certificate or a
/// revocation applies to the next one.
public final class ManagerPeerChannelFactory: PeerChannelFactory {
    let credentials: @Sendable () -> ManagerChannelCredentials?
    let acceptsPlain: @Sendable () -> Bool
    let now: @Sendable () -> Int64
    let log: @Sendable (String) -> Void
    let plain = PlainPeerChannelFactory()
    /// Peers whose encrypted handshake failed recently, while plain is acceptable: dialed plain
    /// until the instant given.
    private let plainUntil = Mutex<[RaftNodeID: ContinuousClock.Instant]>([:])
    /// How long a peer is dialed plain after its encrypted handshake failed: long enough not to
    /// retry the failing handshake on every reconnect, short enough that a founder that has
    /// since received the identity is soon reached encrypted again.
    let plainFallbackTime: Duration

    public init(
        credentials: @escaping @Sendable () -> ManagerChannelCredentials?, acceptsPlain: @escaping @Sendable () -> Bool,
        now: @escaping @Sendable () -> Int64, plainFallbackTime: Duration = .seconds(30), log: @escaping @Sendable (String) -> Void
    ) {
        self.credentials = credentials
        self.acceptsPlain = acceptsPlain
        self.now = now
        self.plainFallbackTime = plainFallbackTime
        self.log = log
    }

    private func secure(_ credentials: ManagerChannelCredentials) -> SecurePeerChannelFactory {
        SecurePeerChannelFactory(identity: { credentials.identity }, policy: { credentials.policy }, now: now)
    }

    public func connect(
        _ socket: Socket, local: RaftNodeID, remote: RaftNodeID, maxFrameSize: Int, deadline: ContinuousClock.Instant
    ) throws(TransportError) -> any PeerChannel {
        guard let credentials = credentials() else {
            return try plain.connect(socket, local: local, remote: remote, maxFrameSize: maxFrameSize, deadline: deadline)
        }
        let tolerant = acceptsPlain()
        if tolerant, let until = plainUntil.withLock({ $0[remote] }), ContinuousClock.now < until {
            return try plain.connect(socket, local: local, remote: remote, maxFrameSize: maxFrameSize, deadline: deadline)
        }
        do {
            return try secure(credentials).connect(socket, local: local, remote: remote, maxFrameSize: maxFrameSize, deadline: deadline)
        } catch {
            if tolerant {
                plainUntil.withLock { $0[remote] = ContinuousClock.now.advanced(by: plainFallbackTime) }
                log("Raft: the encrypted channel to manager \(remote) failed (\(error)); dialing it plain for \(plainFallbackTime) (a cluster founded with -bootstrap-expect above 1 accepts plain Raft)")
            } else {
                log("Raft: the encrypted channel to manager \(remote) failed: \(error)")
            }
            throw error
        }
    }

    public func accept(
        _ socket: Socket, local: RaftNodeID, maxFrameSize: Int, deadline: ContinuousClock.Instant
    ) throws(TransportError) -> any PeerChannel {
        let credentials = credentials()
        if InboundDiversion.helloPurpose(socket, deadline: deadline) == ChannelPurpose.raft.helloByte {
            guard let credentials else {
                log("Raft: refused an encrypted channel from a manager: this manager has no certificate yet (the cluster identity has not reached it)")
                throw .handshake("this manager has no certificate yet")
            }
            do {
                return try secure(credentials).accept(socket, local: local, maxFrameSize: maxFrameSize, deadline: deadline)
            } catch {
                log("Raft: refused a manager's encrypted channel: \(error)")
                throw error
            }
        }
        guard credentials == nil || acceptsPlain() else {
            log("Raft: refused a plain (unencrypted, unauthenticated) Raft connection: this manager's Raft channels are authenticated; a manager must join with a manager token (roost join --token … -server)")
            throw .handshake("plain Raft refused")
        }
        return try plain.accept(socket, local: local, maxFrameSize: maxFrameSize, deadline: deadline)
    }
}
