import ClusterModel
import Raft
import RaftRuntime
import Scheduler
import StateStore

/// The server role: owns the cluster state, turns requests into state commands, feeds the
/// evaluations those commands carry to the broker, runs the scheduler workers and the plan
/// applier, and marks nodes down when their heartbeats stop. The HTTP API and the workers'
/// link call it; it never touches a socket itself.
///
/// Alone (dev mode) it applies commands itself and always leads. In a cluster
/// (`startReplicated`) commands go through Raft, a follower forwards them to the leader, and
/// only the leader runs the broker, the heartbeat watch and garbage collection.
public actor ManagerServer {
    let state = ReplicatedState()
    let broker: EvaluationBroker
    let settings: ManagerSettings
    let clock: @Sendable () -> Timestamp
    var random = SystemRandomNumberGenerator()
    var liveness = NodeLiveness()
    var drainWatch = DrainWatch()
    var deploymentWatchMemory = DeploymentWatchMemory()
    var backgroundTasks: [Task<Void, Never>] = []
    /// Whether `start()` ran: replication adds background tasks of its own before it, so their
    /// count cannot tell.
    var hasStarted = false
    var isShutDown = false
    /// Whether this manager does the leader's work (a lone manager always does).
    var leads = true
    /// Raised each time leadership is gained or lost, so a slow establishment for an old term
    /// cannot overwrite a newer one's.
    var leadershipEpoch = 0
    var forwarder: (any LeaderForwarding)?
    /// This manager as the others know it; nil when alone.
    public internal(set) var identity: ServerEntry?
    var formation = FormationState()
    var aclBootstrap = ACLBootstrap()
    var identityBootstrap = ClusterIdentityBootstrap()

    public init(settings: ManagerSettings = ManagerSettings(), clock: @escaping @Sendable () -> Timestamp) {
        self.settings = settings
        self.clock = clock
        broker = EvaluationBroker(clock: clock)
    }

    /// Starts the scheduler workers and the heartbeat watch. They run until `shutDown`.
    public func start() {
        guard !hasStarted, !isShutDown else { return }
        hasStarted = true
        for _ in 0..<max(1, settings.schedulerWorkers) {
            let worker = SchedulerWorker(manager: self, broker: broker, state: state, clock: clock,
                                         maximumPlanAttempts: settings.maximumPlanAttempts)
            backgroundTasks.append(Task { await worker.run() })
        }
        // Often enough that neither a silence nor a gossip verdict waits much past its limit.
        let watchPeriod = max(min(settings.heartbeatTTL, settings.gossipFailureGrace) / 4, .milliseconds(50))
        backgroundTasks.append(Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: watchPeriod)
                await self?.markSilentNodesDown()
            }
        })
        let drainPeriod = settings.drainWatchInterval
        backgroundTasks.append(Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: drainPeriod)
                await self?.advanceDrains()
            }
        })
        backgroundTasks.append(startPeriodicLauncher())
        backgroundTasks.append(startDeploymentWatcher())
        // Without Raft this manager leads from the start; with Raft, each new leader does it.
        backgroundTasks.append(Task { [weak self] in
            guard let self, await self.state.raftShell == nil else { return }
            await self.applyInitialSchedulerConfigurationIfNeeded()
        })
        let interval = settings.garbageCollectionInterval
        backgroundTasks.append(Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await self?.collectGarbage()
            }
        })
    }

    public func shutDown() async {
        isShutDown = true
        await broker.shutDown()
        for task in backgroundTasks { task.cancel() }
        await state.raftShell?.shutdown()
        for task in backgroundTasks { await task.value }
        backgroundTasks.removeAll()
        await state.releaseAllWaiters()
    }

    // MARK: Reads

    /// The state as applied on this manager, without asking the leader: what `?stale` reads.
    public func snapshot() async -> StateStore { await state.snapshot }

    /// The state including every write acknowledged before the call (linearizable), or this
    /// manager's own copy when `stale` (faster, and served without a leader).
    public func snapshot(stale: Bool) async throws(ManagerError) -> StateStore {
        if !stale { try await readBarrier() }
        return await state.snapshot
    }

    /// Blocking query support: returns once one of `tables` changed after `index` (or the wait
    /// is over), with a fresh snapshot.
    public func snapshot(afterChangeOf tables: Set<StateTable>, since index: UInt64, wait: Duration) async -> StateStore {
        if index > 0 { await state.waitForChange(of: tables, after: index, timeout: wait) }
        return await state.snapshot
    }

    func readBarrier() async throws(ManagerError) {
        do {
            try await state.readBarrier()
        } catch {
            switch error {
            case .notLeader: throw .unavailable("No cluster leader: a majority of the managers must be reachable for a consistent read (add ?stale to read this manager's copy)")
            case .lost, .refused: throw .unavailable("the read could not be confirmed; retry")
            case .unavailable(let message), .unknownOutcome(let message): throw .unavailable(message)
            }
        }
    }

    // MARK: Jobs

    /// Registers (or updates) a job and creates the evaluation that will place it. Periodic and
    /// parameterized jobs are stored without one: they are templates for the jobs they launch
    /// (a parameterized job's children come from `dispatch`).
    public func register(_ job: JobSpec) async throws(ManagerError) -> JobRegistration {
        let problems = JobRegistrationCheck.problems(in: job)
        guard problems.isEmpty else { throw .invalid(problems.joined(separator: "; "), diagnostics: problems) }
        let now = clock()
        let isTemplate = job.periodic != nil || job.parameterized != nil
        let evaluation = isTemplate ? nil : newEvaluation(for: job, trigger: .jobRegister, now: now)
        let outcome = try await submit(.registerJob(job, evaluation: evaluation, submitTime: now))
        let record = await state.snapshot.job(namespace: job.namespace, id: job.id)
        return JobRegistration(
            evaluationID: evaluation?.id, index: outcome.index, jobModifyIndex: record?.jobModifyIndex ?? outcome.index,
            warnings: [])
    }

    /// Stops a job (its allocations are stopped; it stays listed as dead) or purges it.
    public func deregister(namespace: String, jobID: String, purge: Bool) async throws(ManagerError) -> JobRegistration {
        let snapshot = await state.snapshot
        guard let record = snapshot.job(namespace: namespace, id: jobID) else {
            throw .notFound("job \"\(jobID)\" not found")
        }
        let evaluation = newEvaluation(for: record.spec, trigger: .jobDeregister, now: clock())
        _ = await broker.dropBlocked(jobID: jobID)
        let outcome = try await submit(
            .deregisterJob(namespace: namespace, jobID: jobID, purge: purge, evaluation: evaluation, time: clock()))
        return JobRegistration(evaluationID: evaluation.id, index: outcome.index, jobModifyIndex: outcome.index)
    }

    // MARK: Nodes (called by workers)

    /// Registers a worker's node (or refreshes what it fingerprinted) and marks it ready.
    public func registerNode(_ node: Node) async throws(ManagerError) {
        let now = clock()
        var node = node
        node.status = .ready
        node.statusUpdatedAt = now
        let snapshot = await state.snapshot
        if let existing = snapshot.node(id: node.id) {
            // Operator decisions survive a worker restart.
            node.eligibility = existing.eligibility
            node.drain = existing.drain
        }
        let evaluations = snapshot.evaluationsForNodeChange(node.id, now: now, random: &random)
        liveness.heard(from: node.id, at: now)
        _ = try await submit(.upsertNode(node, evaluations: evaluations, time: now))
    }

    /// Records that the node is alive; a node marked down comes back as ready.
    public func heartbeat(_ nodeID: NodeID) async throws(ManagerError) -> Duration {
        // Only the leader watches for silent nodes: a follower passes the heartbeat on.
        if case .elsewhere = await leaderLocation() {
            try await forwardHeartbeat(nodeID)
            return settings.heartbeatTTL
        }
        return try await recordHeartbeat(nodeID)
    }

    /// A heartbeat this manager takes as the leader (its own worker's, or one a follower
    /// forwarded): the node is alive, and a node marked down comes back as ready.
    public func recordHeartbeat(_ nodeID: NodeID) async throws(ManagerError) -> Duration {
        let now = clock()
        let snapshot = await state.snapshot
        guard let node = snapshot.node(id: nodeID) else { throw .notFound("node \(nodeID) is not registered") }
        liveness.heard(from: nodeID, at: now)
        if node.status != .ready {
            let evaluations = snapshot.evaluationsForNodeChange(nodeID, now: now, random: &random)
            _ = try await submit(
                .updateNodeStatus(nodeID, status: .ready, description: "heartbeat resumed", evaluations: evaluations, time: now))
        }
        return settings.heartbeatTTL
    }

    /// The allocations a worker should run (or stop), once they changed after `index`.
    public func allocations(forNode nodeID: NodeID, since index: UInt64, wait: Duration) async -> (allocations: [Allocation], index: UInt64) {
        let snapshot = await snapshot(afterChangeOf: [.allocations], since: index, wait: wait)
        return (snapshot.allocations(onNode: nodeID), snapshot.index(of: .allocations))
    }

    /// What a worker reports about its allocations. A newly failed allocation gets an
    /// evaluation so the scheduler can replace it per the group's `reschedule` policy.
    public func updateAllocations(_ reported: [ClientAllocationUpdate]) async throws(ManagerError) {
        guard !reported.isEmpty else { return }
        // A worker reports what runs; only an operator's verdict is health alone.
        let updates = reported.map { update in
            var workerUpdate = update
            workerUpdate.healthOnly = nil
            return workerUpdate
        }
        let now = clock()
        let snapshot = await state.snapshot
        var evaluations: [Evaluation] = []
        var jobsEvaluated = Set<String>()
        for update in updates where update.clientStatus == .failed {
            guard let allocation = snapshot.allocation(id: update.id), allocation.clientStatus != .failed,
                  allocation.desiredStatus == .run, !jobsEvaluated.contains(allocation.jobID),
                  let record = snapshot.job(namespace: allocation.namespace, id: allocation.jobID), !record.stopped
            else { continue }
            jobsEvaluated.insert(allocation.jobID)
            evaluations.append(newEvaluation(for: record.spec, trigger: .allocationFailure, now: now))
        }
        _ = try await submit(.updateAllocations(updates, evaluations: evaluations, time: now))
    }

    // MARK: Internals

    /// Applies a command and, where this manager leads, hands the evaluations it carries to the
    /// broker. Changes that free or add capacity give blocked evaluations another chance. On a
    /// follower the command goes to the leader, which does the broker's part.
    @discardableResult
    func submit(_ command: StateCommand) async throws(ManagerError) -> ApplyOutcome {
        let (outcome, appliedAsLeader) = try await replicate(.state(command))
        if appliedAsLeader { await followUp(on: command) }
        return outcome
    }

    static func managerError(_ error: StateError) -> ManagerError {
        switch error {
        case .jobNotFound(_, let id): .notFound("job \"\(id)\" not found")
        case .nodeNotFound(let id): .notFound("node \(id) not found")
        default: .invalid(error.description)
        }
    }

    func newEvaluation(for job: JobSpec, trigger: EvaluationTrigger, now: Timestamp) -> Evaluation {
        Evaluation(
            id: .random(using: &random), namespace: job.namespace, priority: job.priority, jobType: job.type,
            triggeredBy: trigger, jobID: job.id, createTime: now, modifyTime: now)
    }

    /// What gossip concluded about a worker. The leader only takes it as a suggestion: the node
    /// is marked down once the verdict has stood for `gossipFailureGrace` without a heartbeat.
    public func gossipReported(node nodeID: NodeID, failed: Bool) {
        if failed {
            liveness.gossipDeclaredFailed(nodeID, at: clock())
        } else {
            liveness.gossipDeclaredAlive(nodeID)
        }
    }

    private func markSilentNodesDown() async {
        guard leads else { return }
        let now = clock()
        let silent = liveness.silentNodes(at: now, ttl: settings.heartbeatTTL).map { ($0, "no heartbeat for \(settings.heartbeatTTL)") }
        let failed = liveness.nodesFailedByGossip(at: now, grace: settings.gossipFailureGrace).map {
            ($0, "gossip declared it failed \(settings.gossipFailureGrace) ago and no heartbeat came since")
        }
        guard !silent.isEmpty || !failed.isEmpty else { return }
        let reasons = Dictionary(silent + failed, uniquingKeysWith: { first, _ in first })
        let snapshot = await state.snapshot
        for (nodeID, reason) in reasons.sorted(by: { $0.key.uuid < $1.key.uuid }) {
            guard let node = snapshot.node(id: nodeID), node.status == .ready else { continue }
            let evaluations = snapshot.evaluationsForNodeChange(nodeID, now: now, random: &random)
            _ = try? await submit(.updateNodeStatus(nodeID, status: .down, description: reason, evaluations: evaluations, time: now))
        }
    }
}

/// What registering or stopping a job produced, for the API's answer.
public struct JobRegistration: Sendable, Hashable {
    public var evaluationID: EvaluationID?
    public var index: UInt64
    public var jobModifyIndex: UInt64
    public var warnings: [String] = []
}
