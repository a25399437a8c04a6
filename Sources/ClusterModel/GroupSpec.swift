/// A set of tasks that are always placed together on one node; `count` copies of it run.
public struct GroupSpec: Sendable, Hashable, Codable {
    public var name: String
    public var count: Int
    public var tasks: [TaskSpec]
    public var constraints: [Constraint]
    public var affinities: [Affinity]
    public var spreads: [Spread]
    public var restart: RestartPolicy
    /// nil for job types that never reschedule (system, sysbatch).
    public var reschedule: ReschedulePolicy?
    /// nil when the group does not roll (batch and system jobs, or `max_parallel = 0`).
    public var update: UpdateStrategy?
    public var migrate: MigrateStrategy?
    public var networks: [NetworkSpec]
    public var services: [ServiceSpec]
    public var ephemeralDisk: EphemeralDisk
    public var meta: [String: String]
    public var shutdownDelay: Duration?
    public var stopAfterClientDisconnect: Duration?
    public var maxClientDisconnect: Duration?

    public init(
        name: String, count: Int = 1, tasks: [TaskSpec] = [], constraints: [Constraint] = [],
        affinities: [Affinity] = [], spreads: [Spread] = [], restart: RestartPolicy,
        reschedule: ReschedulePolicy?, update: UpdateStrategy? = nil, migrate: MigrateStrategy? = nil,
        networks: [NetworkSpec] = [], services: [ServiceSpec] = [], ephemeralDisk: EphemeralDisk = EphemeralDisk(),
        meta: [String: String] = [:], shutdownDelay: Duration? = nil, stopAfterClientDisconnect: Duration? = nil,
        maxClientDisconnect: Duration? = nil
    ) {
        self.name = name
        self.count = count
        self.tasks = tasks
        self.constraints = constraints
        self.affinities = affinities
        self.spreads = spreads
        self.restart = restart
        self.reschedule = reschedule
        self.update = update
        self.migrate = migrate
        self.networks = networks
        self.services = services
        self.ephemeralDisk = ephemeralDisk
        self.meta = meta
        self.shutdownDelay = shutdownDelay
        self.stopAfterClientDisconnect = stopAfterClientDisconnect
        self.maxClientDisconnect = maxClientDisconnect
    }
}
