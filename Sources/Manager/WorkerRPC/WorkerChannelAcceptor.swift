import ClusterRPC
import ClusterSecurity
import Platform
import Synchronization

/// The manager's side of a worker's connection to the RPC port (diverted there by the Raft
/// transport, `InboundDiversion.channelHello`): the channel handshake with this manager's
/// certificate, checked against the cluster's CA and deny-list, then the worker RPC service
/// until the worker goes. Runs on the transport's thread for the connection.
///
/// The policy is kept in a cache that `refresh()` renews from the replicated identity (the
/// server agent calls it every few seconds), because the service re-checks the peer's
/// certificate on every request from a synchronous context: a node revoked while connected
/// loses its channel within one refresh.
public final class WorkerChannelAcceptor: Sendable {
    let manager: ManagerServer
    let validity: Int64
    let log: @Sendable (String) -> Void
    private let cachedPolicy = Mutex<CertificatePolicy?>(nil)

    public init(manager: ManagerServer, certificateValidity: Int64 = JoinServiceSettings().certificateValidity,
                log: @escaping @Sendable (String) -> Void) {
        self.manager = manager
        self.validity = certificateValidity
        self.log = log
    }

    /// Renews the cached policy from the replicated cluster identity (its CA and deny-list).
    public func refresh() async {
        guard let identity = await manager.clusterIdentity else { return }
        var policy = identity.policy
        policy.allowedRoles = [.worker]
        cachedPolicy.withLock { $0 = policy }
    }

    /// Handles one diverted connection to the end.
    public func serve(_ stream: FrameStream) {
        let manager = self.manager
        let validity = self.validity
        guard let (server, cluster) = JoinService.await({ try? await manager.joinResponderIdentity(validity: validity) }) ?? nil else {
            log("worker channel refused: this manager has no cluster identity yet (no leader has created it)")
            return
        }
        var acceptPolicy = cluster.policy
        acceptPolicy.allowedRoles = [.worker]
        let policy = acceptPolicy
        cachedPolicy.withLock { if $0 == nil { $0 = policy } }
        let channel: RPCChannel
        do {
            channel = try RPCChannel.accept(stream, identity: server, policy: policy, now: Self.unixNow())
        } catch {
            log("worker channel refused: \(error)")
            return
        }
        let peer = channel.peer.certificate
        log("worker channel: \(peer.nodeName) (node \(peer.nodeID), serial \(peer.serial)) connected")
        let service = WorkerRPCService(
            manager: manager, allowedRoles: [.worker],
            policy: { [self] in self.currentPolicy ?? policy }, now: Self.unixNow)
        _ = JoinService.await { await service.serveWorkerChannel(channel) }
        log("worker channel: \(peer.nodeName) (node \(peer.nodeID)) closed")
    }

    var currentPolicy: CertificatePolicy? { cachedPolicy.withLock { $0 } }

    static func unixNow() -> Int64 { ClockSource.wallNanosecondsSinceEpoch() / 1_000_000_000 }
}
