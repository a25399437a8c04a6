import ClusterModel
import Raft
import RaftRuntime
import StateStore

extension ManagerServer {
    /// Joins the managers' Raft group (creating it when `settings.bootstrapVoters` says so and
    /// the data directory is empty) and from then on replicates every write through it.
    /// `identity` is announced to the others so they can reach this manager.
    public func startReplicated(raft settings: RaftShellSettings, identity: ServerEntry, forwarder: any LeaderForwarding) async throws {
        self.identity = identity
        self.forwarder = forwarder
        leads = false
        // Observe before the shell restores a snapshot or replays the log, so no address is missed.
        state.machine.observe { [weak self] change in
            guard case .servers(let servers) = change, let self else { return }
            Task { await self.learnAddresses(of: servers) }
        }
        let shell = try await RaftShell.start(settings: settings, stateMachine: state.machine)
        await state.replicate(through: shell)
        learnAddresses(of: await state.servers)
        backgroundTasks.append(Task { [weak self] in
            for await softState in shell.softStateChanges {
                await self?.leadershipChanged(to: softState)
            }
        })
        backgroundTasks.append(Task { [weak self] in
            // Until this manager's entry (with its current addresses) is replicated, others cannot
            // forward to it or dial it after a restart; announcing is idempotent.
            while !Task.isCancelled {
                await self?.announceIfNeeded()
                try? await Task.sleep(for: .seconds(1))
            }
        })
    }

    /// A figure computed from this manager's current state under its lock, with no snapshot
    /// copied out (see `ManagerStateMachine.reading`): for monitors that poll while plans
    /// apply, such as the scheduler benchmark's count of placed allocations.
    public nonisolated func reading<Value: Sendable>(_ body: (StateStore) -> Value) -> Value {
        state.machine.reading(body)
    }

    /// The Raft node, when this manager is part of a cluster.
    var raft: RaftShell? { get async { await state.raftShell } }

    private func learnAddresses(of servers: [ServerEntry]) {
        Task { [state] in
            guard let shell = await state.raftShell else { return }
            for server in servers {
                guard let address = PeerAddress(parsing: server.raftAddress) else { continue }
                await shell.setPeerAddress(server.id, address)
            }
        }
    }

    private func announceIfNeeded() async {
        guard let identity, !isShutDown else { return }
        let known = await state.servers.first { $0.id == identity.id }
        guard known != identity else { return }
        _ = try? await replicate(.upsertServer(identity))
    }

    private func leadershipChanged(to softState: RaftSoftState) async {
        let nowLeads = softState.role == .leader
        guard nowLeads != leads else { return }
        leads = nowLeads
        leadershipEpoch += 1
        if nowLeads {
            await establishLeadership(epoch: leadershipEpoch)
        } else {
            // Whatever was queued here is the new leader's to schedule now.
            await broker.reset(with: [])
        }
    }

    /// A new leader first catches up with everything its predecessors committed (a read
    /// barrier waits for its first commit of its own term), then restores the broker from the
    /// replicated evaluations and gives every node a fresh heartbeat deadline: it has not heard
    /// from any of them yet, which says nothing about whether they are alive.
    private func establishLeadership(epoch: Int) async {
        while leads, epoch == leadershipEpoch, !isShutDown {
            do {
                try await state.readBarrier()
                break
            } catch {
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        guard leads, epoch == leadershipEpoch, !isShutDown else { return }
        let now = clock()
        liveness = NodeLiveness()
        drainWatch = DrainWatch()
        for node in await state.snapshot.allNodes() where node.status == .ready { liveness.heard(from: node.id, at: now) }
        await restartBrokerFromState()
        // Not awaited: it may wait for a quorum, and leadership changes must keep flowing.
        Task { await self.bootstrapACLsIfNeeded() }
        Task { await self.createClusterIdentityIfNeeded() }
        Task { await self.applyInitialSchedulerConfigurationIfNeeded() }
    }

    /// The broker's queue rebuilt from the replicated evaluations still pending or blocked.
    func restartBrokerFromState() async {
        let snapshot = await state.snapshot
        await broker.reset(with: snapshot.evaluations(status: .pending) + snapshot.evaluations(status: .blocked))
    }

    /// Applies `command` through Raft (or at once when alone), forwarding it to the leader from a
    /// follower. Waits out an election (up to `settings.leaderWait`); a write that may or may not
    /// have happened is reported as such, never retried. `appliedAsLeader` tells whether this
    /// manager applied it as the leader (then the broker's follow-up work is its own).
    func replicate(_ command: ReplicatedCommand) async throws(ManagerError) -> (outcome: ApplyOutcome, appliedAsLeader: Bool) {
        let started = ContinuousClock.now
        var lastProblem = "no manager has been elected leader yet"
        while true {
            guard !isShutDown else { throw .unavailable("the manager is shutting down") }
            do {
                return (try await state.submit(command), true)
            } catch {
                switch error {
                case .refused(let stateError): throw Self.managerError(stateError)
                case .unavailable(let message): throw .unavailable(message)
                case .unknownOutcome(let message): throw .unavailable("the write may or may not have been applied: \(message); check before retrying")
                case .lost: lastProblem = "a leader change replaced the write before it committed"
                case .notLeader(let leader):
                    if let forwarded = try await forward(command, to: leader, problem: &lastProblem) {
                        return (forwarded, false)
                    }
                }
            }
            guard ContinuousClock.now - started < settings.leaderWait else {
                throw .unavailable("No cluster leader: \(lastProblem) (waited \(settings.leaderWait)); a majority of the managers must be up")
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// nil when the write was certainly not applied and may be sent again.
    private func forward(_ command: ReplicatedCommand, to leader: RaftNodeID, problem: inout String) async throws(ManagerError) -> ApplyOutcome? {
        guard leader != .none else {
            problem = "no manager has been elected leader yet"
            return nil
        }
        guard let forwarder, let entry = await serverEntry(leader) else {
            problem = "the leader (\(leader)) has not announced its address yet"
            return nil
        }
        do {
            switch try await forwarder.submit(command, to: entry) {
            case .applied(let outcome): return outcome
            case .refused(let stateError): throw Self.managerError(stateError)
            }
        } catch let failure as ForwardingFailure {
            switch failure {
            case .notDelivered(let message):
                problem = message
                return nil
            case .outcomeUnknown(let message):
                throw .unavailable("the write may or may not have been applied: \(message); check before retrying")
            }
        } catch let error as ManagerError {
            throw error
        } catch {
            throw .unavailable("\(error)")
        }
    }

    /// A write a follower forwarded. Applied only here: a manager that does not lead says so
    /// and the follower looks for the leader again (no forwarding chains).
    public func applyForwarded(_ command: ReplicatedCommand) async -> ForwardedAnswer {
        guard leads else { return .notLeader }
        do {
            let outcome = try await state.submit(command)
            switch command {
            case .state(let stateCommand): await followUp(on: stateCommand)
            case .restoreState: await restartBrokerFromState()
            case .dispatchJob(let dispatch): await followUp(on: dispatch.registration)
            case .periodicLaunch(let launch): await followUp(on: launch)
            case .upsertServer, .removeServer, .clusterIdentity: break
            }
            return .answered(.applied(outcome))
        } catch {
            switch error {
            case .refused(let stateError): return .answered(.refused(stateError))
            case .notLeader, .lost: return .notLeader
            case .unavailable(let message), .unknownOutcome(let message): return .unavailable(message)
            }
        }
    }

    /// The leader's part after a state command is applied, its own or forwarded: the broker gets
    /// the evaluations as stored (with the indexes the store gave them), and changes that free
    /// or add capacity give blocked evaluations another chance.
    func followUp(on command: StateCommand) async {
        await broker.enqueue(storedEvaluations(command.carriedEvaluations))
        if command.mayFreeCapacity {
            let released = await broker.unblockAll()
            if !released.isEmpty {
                _ = try? await replicate(.state(.upsertEvaluations(released, time: clock())))
            }
        }
    }
}

extension ManagerServer {
    /// The evaluations as stored, read under the state's lock: a snapshot copied out would be
    /// held across the hop back to this actor, and a plan applying meanwhile would copy the
    /// allocation table.
    private func storedEvaluations(_ evaluations: [Evaluation]) -> [Evaluation] {
        guard !evaluations.isEmpty else { return [] }
        return state.machine.reading { store in evaluations.map { store.evaluation(id: $0.id) ?? $0 } }
    }
}

/// How the leader answers a forwarded write.
public enum ForwardedAnswer: Sendable {
    case answered(ReplicatedResult)
    case notLeader
    case unavailable(String)
}

extension PeerAddress {
    /// `host:port`, or `[v6]:port`.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.init(host: host, port: port)
    }
}
