/// One process (or container) of a group, run by a driver on a worker.
public struct TaskSpec: Sendable, Hashable, Codable {
    public var name: String
    /// `raw_exec`, `exec`, `oci` (`docker` is an alias), or a driver Roost does not know yet.
    public var driver: String
    /// Driver-specific settings, kept as written.
    public var config: [String: DynamicValue]
    public var env: [String: String]
    public var resources: Resources
    public var killTimeout: Duration
    public var killSignal: String
    public var shutdownDelay: Duration
    public var user: String
    public var leader: Bool
    public var kind: String
    public var meta: [String: String]
    public var logs: LogConfig
    public var artifacts: [Artifact]
    public var templates: [TemplateSpec]
    public var services: [ServiceSpec]
    public var lifecycle: Lifecycle?
    /// Overrides the group's policy when set.
    public var restart: RestartPolicy?
    public var constraints: [Constraint]
    public var affinities: [Affinity]
    /// Where the dispatch payload of a parameterized job is written for this task.
    public var dispatchPayload: DispatchPayloadConfig?

    public init(
        name: String, driver: String = "", config: [String: DynamicValue] = [:], env: [String: String] = [:],
        resources: Resources = Resources(), killTimeout: Duration = TaskSpec.defaultKillTimeout,
        killSignal: String = "", shutdownDelay: Duration = .zero, user: String = "", leader: Bool = false,
        kind: String = "", meta: [String: String] = [:], logs: LogConfig = LogConfig(),
        artifacts: [Artifact] = [], templates: [TemplateSpec] = [], services: [ServiceSpec] = [],
        lifecycle: Lifecycle? = nil, restart: RestartPolicy? = nil, constraints: [Constraint] = [],
        affinities: [Affinity] = [], dispatchPayload: DispatchPayloadConfig? = nil
    ) {
        self.name = name
        self.driver = driver
        self.config = config
        self.env = env
        self.resources = resources
        self.killTimeout = killTimeout
        self.killSignal = killSignal
        self.shutdownDelay = shutdownDelay
        self.user = user
        self.leader = leader
        self.kind = kind
        self.meta = meta
        self.logs = logs
        self.artifacts = artifacts
        self.templates = templates
        self.services = services
        self.lifecycle = lifecycle
        self.restart = restart
        self.constraints = constraints
        self.affinities = affinities
        self.dispatchPayload = dispatchPayload
    }

    /// Time between the kill signal and SIGKILL when the job does not say.
    public static let defaultKillTimeout: Duration = .seconds(5)
}
