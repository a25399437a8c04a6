/// A job as the user declared it, with Nomad's defaults filled in: the unit users submit,
/// the scheduler places, and `roost job inspect` prints.
public struct JobSpec: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var type: JobType
    /// 1...100; higher runs first and may preempt.
    public var priority: Int
    public var allAtOnce: Bool
    public var datacenters: [String]
    public var region: String
    public var namespace: String
    public var nodePool: String
    public var meta: [String: String]
    public var constraints: [Constraint]
    public var affinities: [Affinity]
    public var spreads: [Spread]
    /// The job-level `update` block as written, before it is merged into each group.
    public var update: UpdateStrategy?
    public var periodic: PeriodicConfig?
    public var parameterized: ParameterizedConfig?
    public var groups: [GroupSpec]
    /// The job this one was launched from (a periodic launch or a dispatch of a parameterized job), as Nomad's `ParentID`; nil for jobs
    /// users submit themselves.
    public var parentID: String?
    /// The bytes a dispatch carried (empty when it carried none), kept with the job so they
    /// travel in every allocation to the worker that writes them to the tasks'
    /// `dispatch_payload` files. Small by design: the manager refuses payloads over its cap.
    /// nil for every job that was not dispatched.
    public var payload: [UInt8]?

    public init(
        id: String, name: String? = nil, type: JobType = .service, priority: Int = JobSpec.defaultPriority,
        allAtOnce: Bool = false, datacenters: [String] = JobSpec.defaultDatacenters,
        region: String = JobSpec.defaultRegion, namespace: String = JobSpec.defaultNamespace,
        nodePool: String = "default", meta: [String: String] = [:], constraints: [Constraint] = [],
        affinities: [Affinity] = [], spreads: [Spread] = [], update: UpdateStrategy? = nil,
        periodic: PeriodicConfig? = nil, parameterized: ParameterizedConfig? = nil, groups: [GroupSpec] = [],
        parentID: String? = nil, payload: [UInt8]? = nil
    ) {
        self.id = id
        self.name = name ?? id
        self.type = type
        self.priority = priority
        self.allAtOnce = allAtOnce
        self.datacenters = datacenters
        self.region = region
        self.namespace = namespace
        self.nodePool = nodePool
        self.meta = meta
        self.constraints = constraints
        self.affinities = affinities
        self.spreads = spreads
        self.update = update
        self.periodic = periodic
        self.parameterized = parameterized
        self.groups = groups
        self.parentID = parentID
        self.payload = payload
    }

    /// Whether this job is a dispatch of a parameterized job: only dispatches carry a payload,
    /// if only an empty one.
    public var isDispatched: Bool { payload != nil }

    public static let defaultPriority = 50
    /// `*` matches every datacenter, as in Nomad 1.5 and later.
    public static let defaultDatacenters = ["*"]
    public static let defaultRegion = "global"
    public static let defaultNamespace = "default"
}
