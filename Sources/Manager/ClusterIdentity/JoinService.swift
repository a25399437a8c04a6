import ClusterSecurity
import Dispatch
import RaftRuntime
import Synchronization

/// The manager's side of `roost join`, on the RPC port (the transport diverts join hellos
/// here, `diversion`). In order: the joiner's hello; this manager's hello signed with its own
/// certificate (the joiner checks the CA against its token before answering); the joiner's
/// proof, checked against the current token of each role; the joiner's sealed ask (the role it
/// wants); then a serial through Raft, a certificate signed here, and the sealed grant.
/// Every refusal is sent to the joiner as a precise message and logged here.
///
/// Runs on the transport's thread for the connection: socket reads block that thread only,
/// and the manager's async work is awaited from it.
public final class JoinService: Sendable {
    let manager: ManagerServer
    let settings: JoinServiceSettings
    let gossipKeys: @Sendable () -> [[UInt8]]?
    let managers: @Sendable () async -> [ManagerAddresses]
    let log: @Sendable (String) -> Void

    /// `gossipKeys` gives the managers' live keyring (nil: the identity's); `managers` where
    /// the managers listen; `log` receives one line per join, admitted or refused.
    public init(
        manager: ManagerServer, settings: JoinServiceSettings = JoinServiceSettings(), gossipKeys: @escaping @Sendable () -> [[UInt8]]? = { nil },
        managers: @escaping @Sendable () async -> [ManagerAddresses], log: @escaping @Sendable (String) -> Void
    ) {
        self.manager = manager
        self.settings = settings
        self.gossipKeys = gossipKeys
        self.managers = managers
        self.log = log
    }

    /// What to give the Raft transport (`RaftShellSettings.inboundDiversion`).
    public var diversion: InboundDiversion {
        InboundDiversion(join: { [self] connection in serve(connection) })
    }

    /// Why one join stopped: what the joiner is told, and what the manager logs.
    struct Refusal: Error {
        var toJoiner: String
        var logLine: String
        /// False when the joiner is gone or must not be answered (it sent nothing to answer).
        var answer = true
    }

    /// Handles one diverted connection to the end.
    public func serve(_ connection: FramedConnection) {
        do {
            let admitted = try exchange(connection, deadline: ContinuousClock.now.advanced(by: settings.exchangeTimeout))
            log("join: admitted \(admitted)")
        } catch {
            log("join refused: \(error.logLine)")
            if error.answer {
                try? connection.send(JoinAnswer.refusal(error.toJoiner).encoded, deadline: ContinuousClock.now.advanced(by: .seconds(2)))
            }
        }
    }

    private func exchange(_ connection: FramedConnection, deadline: ContinuousClock.Instant) throws(Refusal) -> String {
        guard let hello = try receive(connection, deadline, what: "hello") else {
            throw Refusal(toJoiner: "", logLine: "the joiner closed the connection before its hello", answer: false)
        }
        let validity = settings.certificateValidity
        let context = Self.await { [manager] () async -> Result<(server: NodeIdentity, cluster: ClusterIdentity), ManagerError> in
            do throws(ManagerError) {
                return .success(try await manager.joinResponderIdentity(validity: validity))
            } catch {
                return .failure(error)
            }
        }
        let server: NodeIdentity
        let cluster: ClusterIdentity
        switch context ?? .failure(.unavailable("the manager did not answer")) {
        case .success(let value): (server, cluster) = value
        case .failure(let error):
            throw Refusal(toJoiner: "the manager cannot answer joins yet: \(error)", logLine: "cannot answer a join yet: \(error)")
        }
        var responder = JoinResponder(identity: server, caPublicKey: cluster.caPublicKey, joinKeys: cluster.joinKeys)
        do {
            try send(connection, try responder.receive(clientHello: hello), deadline)
        } catch let failure as HandshakeFailure {
            throw Refusal(toJoiner: failure.description, logLine: "bad hello: \(failure)")
        } catch let refusal as Refusal {
            throw refusal
        } catch {
            throw Refusal(toJoiner: "\(error)", logLine: "\(error)")
        }
        guard let proof = try receive(connection, deadline, what: "proof") else {
            throw Refusal(
                toJoiner: "",
                logLine: "the joiner closed the connection after the manager's hello without a proof: most likely its token names another cluster's CA (the joiner refuses before sending anything secret)",
                answer: false)
        }
        let request: JoinRequest
        let session: ChannelSession
        do {
            (request, session) = try responder.receive(proof: proof)
        } catch {
            if case .invalidJoinProof = error, let rotated = rotatedRole(of: proof, responder: responder, cluster: cluster) {
                let message = "this \(rotated.role) join token was rotated away (generation \(rotated.generation); the current one is \(cluster.generation(of: rotated.role))): get the current token with `roost cluster join-token \(rotated.role)`"
                throw Refusal(toJoiner: message, logLine: message)
            }
            throw Refusal(toJoiner: error.description, logLine: error.description)
        }
        guard let askFrame = try receive(connection, deadline, what: "request") else {
            throw Refusal(toJoiner: "", logLine: "\(request.nodeName) closed the connection after its proof", answer: false)
        }
        let ask: JoinAsk
        do {
            ask = try JoinAsk(opening: askFrame, with: session)
        } catch {
            throw Refusal(toJoiner: error.description, logLine: "\(request.nodeName): \(error)")
        }
        if ask.role == .manager, request.role != .manager {
            throw Refusal(
                toJoiner: "a \(request.role) join token cannot make a manager: get the manager token with `roost cluster join-token manager`",
                logLine: "\(request.nodeName) asked to join as a manager with a \(request.role) token")
        }
        let granted = JoinRequest(role: ask.role, nodeName: request.nodeName, publicKey: request.publicKey)
        let certified = Self.await { [manager] () async -> Result<(certificate: SignedCertificate, identity: ClusterIdentity), ManagerError> in
            do throws(ManagerError) {
                return .success(try await manager.certify(granted, validity: validity))
            } catch {
                return .failure(error)
            }
        }
        let certificate: SignedCertificate
        let identity: ClusterIdentity
        switch certified ?? .failure(.unavailable("the manager did not answer")) {
        case .success(let value): (certificate, identity) = value
        case .failure(let error):
            throw Refusal(toJoiner: "the cluster could not record the new node: \(error)", logLine: "\(request.nodeName): cannot record it: \(error)")
        }
        let keys = gossipKeys() ?? identity.gossipKeys
        let addresses = Self.await { [managers] in await managers() } ?? []
        let grant = JoinGrant(
            certificate: certificate, caPublicKey: identity.caPublicKey, clusterID: identity.clusterID, gossipKeys: keys, managers: addresses)
        try send(connection, JoinAnswer.grant(sealed: grant.sealed(with: session)).encoded, deadline)
        let node = certificate.certificate
        return "\(node.nodeName) as a \(node.role) (node ID \(node.nodeID), certificate serial \(node.serial), valid until \(node.notAfter))"
    }

    /// The role and generation of a recent token that `proof` was made with, if any.
    private func rotatedRole(of proof: [UInt8], responder: JoinResponder, cluster: ClusterIdentity) -> (role: NodeRole, generation: UInt64)? {
        guard let authority = cluster.authority else { return nil }
        for role in NodeRole.allCases {
            let current = cluster.generation(of: role)
            var generation = current
            while generation > 1, current - generation < settings.rotatedGenerationsRecognised {
                generation -= 1
                let old = JoinToken.derived(caSeed: authority.keyPair.seed, caPublicKey: cluster.caPublicKey, role: role, generation: generation)
                if responder.proofMatches(proof, joinKey: old.joinKey) { return (role, generation) }
            }
        }
        return nil
    }

    private func receive(_ connection: FramedConnection, _ deadline: ContinuousClock.Instant, what: String) throws(Refusal) -> [UInt8]? {
        do {
            return try connection.receive(deadline: deadline)
        } catch {
            switch error {
            case .oversizeFrame(let length, let limit):
                let message = "the joiner's \(what) frame of \(length) bytes is over the \(limit)-byte cap of join messages"
                throw Refusal(toJoiner: message, logLine: message)
            case .timedOut:
                throw Refusal(toJoiner: "the join took too long (over \(settings.exchangeTimeout))", logLine: "the joiner sent no \(what) within \(settings.exchangeTimeout)")
            default:
                throw Refusal(toJoiner: "", logLine: "reading the joiner's \(what): \(error)", answer: false)
            }
        }
    }

    private func send(_ connection: FramedConnection, _ frame: [UInt8], _ deadline: ContinuousClock.Instant) throws(Refusal) {
        do {
            try connection.send(frame, deadline: deadline)
        } catch {
            throw Refusal(toJoiner: "", logLine: "sending to the joiner: \(error)", answer: false)
        }
    }

    /// Runs `body` on the concurrency pool and blocks this (transport) thread until it is done.
    static func await<Value: Sendable>(_ body: @escaping @Sendable () async -> Value) -> Value? {
        let result = Mutex<Value?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await body()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        // The task sets the value before it signals: nil never comes back.
        return result.withLock { $0 }
    }
}
