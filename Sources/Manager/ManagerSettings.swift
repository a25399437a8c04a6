import Scheduler

/// How a manager behaves, with defaults suited to a small on-prem cluster.
public struct ManagerSettings: Sendable {
    /// A node that has not sent a heartbeat for this long is marked down and its allocations
    /// are replaced. Workers heartbeat at a third of it.
    public var heartbeatTTL: Duration
    /// How long gossip must hold a worker failed, with no heartbeat from it meanwhile, before
    /// the leader marks it down. Long enough for a member wrongly suspected (a lost burst of
    /// datagrams, a paused VM) to refute, short enough that its work moves well within 30 s.
    public var gossipFailureGrace: Duration
    /// How often the leader checks draining nodes: whether a drain can move more allocations
    /// (a replacement runs, the deadline passed) and whether it is complete.
    public var drainWatchInterval: Duration
    /// How often a plan refused by the plan applier (the cluster changed under it) is made
    /// again before the evaluation is given up as failed.
    public var maximumPlanAttempts: Int
    /// Scheduler workers run in parallel; evaluations of one job never run in parallel.
    public var schedulerWorkers: Int
    /// How often what purged jobs left behind is deleted from the state.
    public var garbageCollectionInterval: Duration
    /// How long a job must have been dead (stopped, or every allocation finished), with nothing
    /// changing, before it is purged: finished batch runs, periodic launches and dispatches
    /// would otherwise pile up in the state forever. Nomad's `job_gc_threshold`, same default.
    public var jobGarbageThreshold: Duration
    /// The scheduler configuration a cluster with none stored starts with (the agent's
    /// `default_scheduler_config`); nil keeps the built-in defaults.
    public var initialSchedulerConfiguration: SchedulerConfiguration?

    /// How long a write waits for a leader (an election in progress) before it fails with
    /// "No cluster leader".
    public var leaderWait: Duration

    /// Whether every API call needs an ACL token, and the cluster's first leader creates the
    /// bootstrap management token. On for `agent -server`; off in dev mode.
    public var aclsEnabled: Bool
    /// How long the node certificates this manager issues are valid, in seconds: to joining
    /// nodes, on renewal, and to itself.
    public var certificateValidity: Int64

    public init(
        heartbeatTTL: Duration = .seconds(10), maximumPlanAttempts: Int = 5, schedulerWorkers: Int = 2,
        garbageCollectionInterval: Duration = .seconds(60), leaderWait: Duration = .seconds(7), aclsEnabled: Bool = false,
        gossipFailureGrace: Duration = .seconds(15), drainWatchInterval: Duration = .seconds(1),
        certificateValidity: Int64 = JoinServiceSettings().certificateValidity, jobGarbageThreshold: Duration = .seconds(4 * 3_600),
        initialSchedulerConfiguration: SchedulerConfiguration? = nil
    ) {
        self.initialSchedulerConfiguration = initialSchedulerConfiguration
        self.jobGarbageThreshold = jobGarbageThreshold
        self.certificateValidity = certificateValidity
        self.drainWatchInterval = drainWatchInterval
        self.gossipFailureGrace = gossipFailureGrace
        self.aclsEnabled = aclsEnabled
        self.leaderWait = leaderWait
        self.garbageCollectionInterval = garbageCollectionInterval
        self.heartbeatTTL = heartbeatTTL
        self.maximumPlanAttempts = maximumPlanAttempts
        self.schedulerWorkers = schedulerWorkers
    }
}
