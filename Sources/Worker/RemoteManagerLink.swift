import ClusterModel
import ClusterRPC
import ClusterSecurity
import StateStore

/// The worker's link to managers on other machines: the worker RPC methods over one
/// authenticated, encrypted channel (`RPCClient`), to one manager at a time.
///
/// - A call that finds the channel broken, or the manager unable to serve (no leader), drops
///   the channel and moves on to the next address, so the next call fails over.
/// - Dialing goes round the addresses; after a round where none answered it pauses, doubling
///   the pause up to a bound, so a worker cut off from every manager does not spin.
/// - Allocation reports are queued here, newest per allocation, and leave in batches. Reports
///   a broken channel did not deliver stay queued and go out after the next connect, even if
///   the worker never calls again: nothing a task did is lost to a manager outage.
public actor RemoteManagerLink: ManagerLink {
    public struct Address: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
        public var description: String { "\(host):\(port)" }
    }

    /// The node's key and certificate, replaced by `renewCertificate`, which also closes the
    /// open channel: managers re-check the certificate a channel was opened with on every
    /// request, so a channel opened with the old one stops working when that one expires.
    public private(set) var identity: NodeIdentity
    private let policy: CertificatePolicy
    private let addresses: [Address]
    private let settings: RemoteManagerLinkSettings
    private let now: @Sendable () -> Int64
    private var client: RPCClient?
    /// The address the next dial starts with.
    private var nextAddress = 0
    /// The in-progress dial that concurrent calls share, so they do not open a channel each.
    private var dialing: Task<Result<RPCClient, RPCError>, Never>?
    /// Dial rounds in a row in which no manager answered (0 once one does).
    private(set) var failedDialRounds = 0
    private var queued: [AllocationID: ClientAllocationUpdate] = [:]
    private var redelivery: Task<Void, Never>?
    private var isClosed = false

    /// `policy` is what manager certificates are checked against; only managers are accepted
    /// whatever roles it lists. `now` gives Unix seconds for certificate validity.
    public init(
        identity: NodeIdentity, managerPolicy policy: CertificatePolicy, addresses: [Address],
        settings: RemoteManagerLinkSettings = RemoteManagerLinkSettings(), now: @escaping @Sendable () -> Int64
    ) {
        precondition(!addresses.isEmpty, "a RemoteManagerLink needs at least one manager address")
        var policy = policy
        policy.allowedRoles = [.manager]
        self.identity = identity
        self.policy = policy
        self.addresses = addresses
        self.settings = settings
        self.now = now
    }

    // MARK: ManagerLink

    public func registerNode(_ node: Node) async throws {
        _ = try await invoke(.registerNode, WorkerRPC.RegisterNode(node: node), timeout: settings.callTimeout)
    }

    public func heartbeat(_ nodeID: NodeID) async throws -> Duration {
        let reply = try await invoke(.heartbeat, WorkerRPC.Heartbeat(nodeID: nodeID), timeout: settings.callTimeout)
        let decoded = try WorkerRPC.decode(WorkerRPC.HeartbeatReply.self, from: reply, method: "heartbeat reply")
        if let keys = decoded.gossipKeys, !keys.isEmpty { gossipKeys = keys }
        return decoded.ttl
    }

    /// Asks for a fresh certificate for this node and key, checks it against the cluster's CA,
    /// and uses it from now on. The caller stores it (the credentials file).
    public func renewCertificate() async throws -> SignedCertificate {
        let reply = try await invoke(.renewCertificate, WorkerRPC.Empty(), timeout: settings.callTimeout)
        let encoded = try WorkerRPC.decode(WorkerRPC.RenewedCertificate.self, from: reply, method: "renewCertificate reply").certificate
        let renewed = try SignedCertificate(decoding: encoded)
        var check = policy
        check.allowedRoles = [identity.certificate.certificate.role]
        if let problem = check.problem(with: renewed, now: now()) {
            throw RPCError(.forbidden, "the renewed certificate is not usable: \(problem)")
        }
        guard renewed.certificate.publicKey == identity.keyPair.publicKey, renewed.certificate.nodeID == identity.certificate.certificate.nodeID else {
            throw RPCError(.forbidden, "the renewed certificate is for another key or node")
        }
        identity = NodeIdentity(keyPair: identity.keyPair, certificate: renewed)
        // The next call dials again and presents the renewed certificate (calls in flight on
        // the old channel fail as a lost connection and are retried like any other).
        if let client {
            client.close()
            self.client = nil
        }
        return renewed
    }

    /// Whether `secret` is one of the cluster's ACL tokens (asked of a manager, which holds
    /// their hashes): how the worker's log API checks its callers.
    public func resolveToken(_ secret: String) async throws -> WorkerRPC.ResolvedToken {
        let reply = try await invoke(.resolveToken, WorkerRPC.ResolveToken(secret: secret), timeout: settings.callTimeout)
        return try WorkerRPC.decode(WorkerRPC.ResolvedToken.self, from: reply, method: "resolveToken reply")
    }

    /// The cluster's gossip keys as the last heartbeat reply gave them (primary first), so the
    /// worker's gossip member can follow a key rotation; nil until a manager sent them.
    public private(set) var gossipKeys: [[UInt8]]?

    public func allocations(forNode nodeID: NodeID, since index: UInt64, wait: Duration) async throws -> (allocations: [Allocation], index: UInt64) {
        let query = WorkerRPC.AllocationsQuery(nodeID: nodeID, since: index, wait: wait)
        let reply = try await invoke(.allocations, query, timeout: wait + settings.longPollGrace)
        let decoded = try WorkerRPC.decode(WorkerRPC.AllocationsReply.self, from: reply, method: "allocations reply")
        return (decoded.allocations, decoded.index)
    }

    /// Queues the reports (a newer report of an allocation replaces a queued older one) and
    /// delivers the queue. Throws when it could not be delivered now; the reports stay queued
    /// and are delivered once a manager answers.
    public func updateAllocations(_ updates: [ClientAllocationUpdate]) async throws {
        for update in updates { queued[update.id] = update }
        do {
            try await deliverQueued()
        } catch {
            scheduleRedelivery()
            throw error
        }
    }

    // MARK: Lifecycle and introspection

    /// Reports not yet acknowledged by a manager.
    public var queuedReportCount: Int { queued.count }

    /// The manager the link is connected to now, if any.
    public var connectedManager: String? {
        guard let client, !client.isClosed else { return nil }
        return client.channel.peer.certificate.nodeName
    }

    /// Closes the channel and stops redelivery; later calls fail.
    public func close() {
        isClosed = true
        redelivery?.cancel()
        redelivery = nil
        client?.close()
        client = nil
    }

    // MARK: Calls

    private func invoke(_ method: WorkerRPC.Method, _ request: some Encodable, timeout: Duration) async throws(RPCError) -> [UInt8] {
        let body = try WorkerRPC.encode(request)
        let client = try await connectedClient()
        do {
            return try await client.call(method.rawValue, body: body, timeout: timeout)
        } catch {
            switch error.code {
            case .connectionLost, .timedOut, .unavailable:
                // This manager cannot serve us now: the next call goes to the next one.
                drop(client)
            default:
                break
            }
            throw error
        }
    }

    private func deliverQueued() async throws(RPCError) {
        while !queued.isEmpty {
            let batch = queued.values.sorted { $0.id < $1.id }.prefix(settings.maximumBatch)
            guard let nodeID = nodeIDFromCertificate else {
                throw RPCError(.badRequest, "this node's certificate has an empty node ID; join the node again")
            }
            _ = try await invoke(.updateAllocations, WorkerRPC.UpdateAllocations(nodeID: nodeID, updates: Array(batch)), timeout: settings.callTimeout)
            // Reports that changed while the batch was on its way stay queued.
            for sent in batch where queued[sent.id] == sent { queued[sent.id] = nil }
        }
    }

    private var nodeIDFromCertificate: NodeID? {
        let id = identity.certificate.certificate.nodeID
        return id.isEmpty ? nil : NodeID(uuid: id)
    }

    /// Retries delivering the queue with backoff until it is empty or the link is closed.
    private func scheduleRedelivery() {
        guard redelivery == nil, !isClosed else { return }
        // Lives until the queue is delivered or `close()` cancels it.
        redelivery = Task { [weak self] in
            var pause = self?.settings.initialBackoff ?? .milliseconds(100)
            while !Task.isCancelled {
                try? await Task.sleep(for: pause)
                guard let self, await self.redeliverOnce() else { return }
                pause = min(pause * 2, self.settings.maximumBackoff)
            }
        }
    }

    /// One redelivery attempt; true when another is needed.
    private func redeliverOnce() async -> Bool {
        guard !isClosed else { return false }
        do {
            try await deliverQueued()
        } catch {
            if error.isRetryable { return true }
            // A refusal (forbidden, bad request) will not change by retrying; the reports stay
            // queued for the next explicit call, which reports the error to the worker.
        }
        redelivery = nil
        return false
    }

    // MARK: Connecting

    private func connectedClient() async throws(RPCError) -> RPCClient {
        if isClosed { throw RPCError(.connectionLost, "the link to the managers was closed") }
        if let client, !client.isClosed { return client }
        client = nil
        let dial: Task<Result<RPCClient, RPCError>, Never>
        if let dialing {
            dial = dialing
        } else {
            // Lives for one round of dialing; every call that needs a channel meanwhile awaits it.
            dial = Task { await self.dialRound() }
            dialing = dial
        }
        let result = await dial.value
        if dialing == dial { dialing = nil }
        let connected = try result.get()
        if isClosed {
            connected.close()
            throw RPCError(.connectionLost, "the link to the managers was closed")
        }
        client = connected
        return connected
    }

    /// Tries each address once, starting with the next one; pauses first when the previous
    /// rounds all failed.
    private func dialRound() async -> Result<RPCClient, RPCError> {
        if failedDialRounds > 0 {
            var pause = settings.initialBackoff
            for _ in 1..<min(failedDialRounds, 16) { pause = min(pause * 2, settings.maximumBackoff) }
            try? await Task.sleep(for: min(pause, settings.maximumBackoff))
        }
        var problems: [String] = []
        for offset in 0..<addresses.count {
            let index = (nextAddress + offset) % addresses.count
            let address = addresses[index]
            do {
                let client = try await RPCClient.connect(
                    host: address.host, port: address.port, identity: identity, policy: policy, settings: settings.rpc, now: now)
                nextAddress = index
                failedDialRounds = 0
                return .success(client)
            } catch {
                problems.append(error.message)
            }
        }
        failedDialRounds += 1
        return .failure(RPCError(.connectionLost, "no manager could be reached (\(problems.joined(separator: "; "))); the worker keeps its tasks running and retries"))
    }

    private func drop(_ broken: RPCClient) {
        broken.close()
        guard client === broken else { return }
        client = nil
        nextAddress = (nextAddress + 1) % addresses.count
    }
}
