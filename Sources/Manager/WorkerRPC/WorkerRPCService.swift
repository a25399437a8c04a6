import ClusterModel
import ClusterRPC
import ClusterSecurity
import StateStore

/// Serves the worker RPC methods (`WorkerRPC.Method`) on established channels by calling the
/// `ManagerServer`, which already forwards writes to the leader when this manager follows.
///
/// Authorisation is by the certificate the handshake checked: its role must be allowed (a
/// worker, or a manager that also runs tasks) and a node may only register, heartbeat, poll
/// and report for the node ID its own certificate names. A refused request gets `forbidden`
/// with the reason; the channel stays up for the requests that are allowed.
public struct WorkerRPCService: Sendable {
    let manager: ManagerServer
    let settings: RPCSettings
    let allowedRoles: Set<NodeRole>
    /// When given, every request re-checks the peer's certificate (expiry, revocation), so a
    /// node removed while connected loses its channel's use at once, not at its next connect.
    let policy: (@Sendable () -> CertificatePolicy)?
    let now: @Sendable () -> Int64

    public init(
        manager: ManagerServer, settings: RPCSettings = RPCSettings(), allowedRoles: Set<NodeRole> = [.worker, .manager],
        policy: (@Sendable () -> CertificatePolicy)? = nil, now: @escaping @Sendable () -> Int64 = { 0 }
    ) {
        self.manager = manager
        self.settings = settings
        self.allowedRoles = allowedRoles
        self.policy = policy
        self.now = now
    }

    /// The entry point for a channel whose handshake is done (by `RPCListener`, or by the RPC
    /// port's inbound diversion): serves it until the peer goes, then closes it.
    public func serveWorkerChannel(_ channel: RPCChannel, certificate: SignedCertificate) async {
        await channel.serve { method, body in
            await handle(method: method, body: body, certificate: certificate)
        }
    }

    /// Serves a channel as the peer whose certificate its handshake checked.
    public func serveWorkerChannel(_ channel: RPCChannel) async {
        await serveWorkerChannel(channel, certificate: channel.peer)
    }

    /// One request: authorise, decode, call the manager, encode.
    func handle(method rawMethod: String, body: [UInt8], certificate signed: SignedCertificate) async -> Result<[UInt8], RPCError> {
        do throws(RPCError) {
            guard let method = WorkerRPC.Method(rawValue: rawMethod) else {
                let known = WorkerRPC.Method.allCases.map(\.rawValue).joined(separator: ", ")
                throw RPCError(.unknownMethod, "this manager has no method \"\(rawMethod)\" (it serves \(known)); upgrade the older side")
            }
            let certificate = signed.certificate
            guard allowedRoles.contains(certificate.role) else {
                throw RPCError(.forbidden, "\(certificate.nodeName) holds a \(certificate.role) certificate, which may not call \(rawMethod) here; join the node with a worker token")
            }
            if let policy, let problem = policy().problem(with: signed, now: now()) {
                throw RPCError(.forbidden, "the certificate of \(certificate.nodeName) is no longer accepted: \(problem)")
            }
            // The cached policy may be a moment old; the replicated deny-list is not, so a node
            // removed a moment ago cannot slip a registration in before the cache catches up.
            if let identity = await manager.clusterIdentity, identity.revoked.contains(certificate.serial) {
                throw RPCError(
                    .forbidden,
                    "the certificate of \(certificate.nodeName) is no longer accepted: \(CertificateProblem.revoked(serial: certificate.serial, nodeName: certificate.nodeName))")
            }
            switch method {
            case .registerNode:
                let request = try WorkerRPC.decode(WorkerRPC.RegisterNode.self, from: body, method: rawMethod)
                try authorise(request.node.id, certificate, rawMethod)
                try await call { () async throws(ManagerError) in try await manager.registerNode(request.node) }
                return .success(try WorkerRPC.encode(WorkerRPC.Empty()))
            case .heartbeat:
                let request = try WorkerRPC.decode(WorkerRPC.Heartbeat.self, from: body, method: rawMethod)
                try authorise(request.nodeID, certificate, rawMethod)
                let ttl = try await call { () async throws(ManagerError) in try await manager.heartbeat(request.nodeID) }
                let keys = await manager.clusterIdentity?.gossipKeys
                return .success(try WorkerRPC.encode(WorkerRPC.HeartbeatReply(ttl: ttl, gossipKeys: keys?.isEmpty == false ? keys : nil)))
            case .allocations:
                let request = try WorkerRPC.decode(WorkerRPC.AllocationsQuery.self, from: body, method: rawMethod)
                try authorise(request.nodeID, certificate, rawMethod)
                let (allocations, index) = await longPoll(request.nodeID, since: request.since, wait: min(request.wait, settings.maxLongPollWait))
                return .success(try WorkerRPC.encode(WorkerRPC.AllocationsReply(allocations: allocations, index: index)))
            case .renewCertificate:
                let renewed = try await call { () async throws(ManagerError) in try await manager.renewCertificate(signed) }
                return .success(try WorkerRPC.encode(WorkerRPC.RenewedCertificate(certificate: renewed.encoded)))
            case .resolveToken:
                // Any node with a valid certificate may ask: it learns only whether a secret its
                // own API was given is a token, and the token's name and policy.
                let request = try WorkerRPC.decode(WorkerRPC.ResolveToken.self, from: body, method: rawMethod)
                let token = await manager.token(forSecret: request.secret)
                return .success(try WorkerRPC.encode(WorkerRPC.ResolvedToken(name: token?.name, policy: token?.policy.rawValue)))
            case .updateAllocations:
                let request = try WorkerRPC.decode(WorkerRPC.UpdateAllocations.self, from: body, method: rawMethod)
                try authorise(request.nodeID, certificate, rawMethod)
                try await authoriseUpdates(request.updates, of: request.nodeID)
                try await call { () async throws(ManagerError) in try await manager.updateAllocations(request.updates) }
                return .success(try WorkerRPC.encode(WorkerRPC.Empty()))
            }
        } catch {
            return .failure(error)
        }
    }

    /// The manager's blocking query, waited in short slices so that a channel that ends (its
    /// serving tasks are cancelled) frees its long polls within a slice instead of holding
    /// them, and the connection's teardown, for the whole wait.
    private func longPoll(_ nodeID: NodeID, since index: UInt64, wait: Duration) async -> (allocations: [Allocation], index: UInt64) {
        let deadline = ContinuousClock.now.advanced(by: wait)
        while true {
            let slice = min(deadline - ContinuousClock.now, Self.longPollSlice)
            let answer = await manager.allocations(forNode: nodeID, since: index, wait: max(slice, .zero))
            if index == 0 || answer.index > index || ContinuousClock.now >= deadline || Task.isCancelled { return answer }
        }
    }

    static let longPollSlice: Duration = .milliseconds(500)

    private func authorise(_ nodeID: NodeID, _ certificate: NodeCertificate, _ method: String) throws(RPCError) {
        guard nodeID.uuid == certificate.nodeID else {
            throw RPCError(
                .forbidden,
                "\(certificate.nodeName)'s certificate is for node \(certificate.nodeID); it may not call \(method) for node \(nodeID.uuid). A worker acts only for the node ID it joined with")
        }
    }

    /// Reports may only be about allocations placed on the reporting node. An allocation this
    /// manager's copy does not know is looked up again after a read barrier (a follower may
    /// lag the leader); one still unknown passes, as the state machine ignores reports about
    /// allocations it does not have (collected meanwhile).
    private func authoriseUpdates(_ updates: [ClientAllocationUpdate], of nodeID: NodeID) async throws(RPCError) {
        var snapshot = await manager.snapshot()
        if updates.contains(where: { snapshot.allocation(id: $0.id) == nil }) {
            snapshot = try await call { () async throws(ManagerError) in try await manager.snapshot(stale: false) }
        }
        for update in updates {
            if let allocation = snapshot.allocation(id: update.id), allocation.nodeID != nodeID {
                throw RPCError(
                    .forbidden,
                    "allocation \(update.id) runs on node \(allocation.nodeID), not on \(nodeID); a worker may only report its own allocations")
            }
        }
    }

    /// Calls the manager and turns its refusal into the RPC error with the same meaning.
    private func call<T>(_ body: () async throws(ManagerError) -> T) async throws(RPCError) -> T {
        do {
            return try await body()
        } catch {
            switch error {
            case .invalid(let message, let diagnostics):
                throw RPCError(.badRequest, ([message] + diagnostics).joined(separator: "; "))
            case .ambiguous(let message): throw RPCError(.badRequest, message)
            case .notFound(let message): throw RPCError(.notFound, message)
            case .unavailable(let message): throw RPCError(.unavailable, message)
            }
        }
    }
}
