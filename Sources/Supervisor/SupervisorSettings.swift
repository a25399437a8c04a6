import ClusterModel
import Images

/// Where and how a worker runs allocations. The defaults suit a root agent on Linux; tests point
/// `dataDirectory` at a temporary directory and may turn cgroups off when not root.
public struct SupervisorSettings: Sendable {
    /// Allocation directories live under `<dataDirectory>/alloc/<allocation-id>/`.
    public var dataDirectory: String
    /// The cgroup mount to use; a parameter so tests can point it at a fake tree.
    public var cgroupRoot: String
    /// Task cgroups are `<parent>/<allocation-id>.<task>` in each hierarchy.
    public var cgroupParent: String
    /// Run tasks in cgroups. Turned off only where cgroups are unavailable (not root): limits,
    /// OOM detection and the no-survivor guarantee then do not hold.
    public var usesCgroups: Bool
    /// The most processes one task may have (`pids.max`), so a fork bomb stays inside its task.
    public var pidsLimit: Int
    /// This worker's node: its attributes and meta answer `${attr.*}`, `${meta.*}`, `${node.*}`.
    public var node: Node
    public var region: String
    /// Upper bound on a task's `kill_timeout` (Nomad's `max_kill_timeout`).
    public var maximumKillTimeout: Duration
    /// Upper bound on the `logs { max_files }` of a task, whatever the job says.
    public var maximumLogFiles: Int
    /// Upper bound on `logs { max_file_size }`, in MiB.
    public var maximumLogFileSizeMiB: Int
    /// The OCI runtime for oci/docker tasks ("crun", "runc" or a path); nil picks crun, else runc.
    public var ociRuntime: String? = nil
    /// The `roost` executable that runs as each container's monitor (`roost oci-monitor`); nil
    /// finds it: the agent's own executable when that is `roost`, else `roost` next to it
    /// (tests run from the build directory).
    public var ociMonitorExecutable: String? = nil
    /// Registries the oci driver pulls from: insecure (http) hosts, credentials, timeouts.
    public var registry = RegistrySettings()
    /// The image cache (blobs and unpacked images) is trimmed to this size after a container
    /// is removed, deleting what no running container uses, least recently used first.
    /// The node's bridge for `network { mode = "bridge" }` groups; nil: `roost0` on Nomad's
    /// subnet, its records under the data directory. Tests give names of their own.
    public var bridgeNetwork: BridgeNetworkSettings? = nil
    public var imageCacheLimitMiB: Int = 10_240
    /// Images used more recently than this are never collected (a pull may be in progress).
    public var imageCacheGraceSeconds: Double = 300

    public init(
        dataDirectory: String, node: Node, region: String = JobSpec.defaultRegion,
        cgroupRoot: String = "/sys/fs/cgroup", cgroupParent: String = "roost", usesCgroups: Bool = true,
        pidsLimit: Int = 16_384, maximumKillTimeout: Duration = .seconds(30), maximumLogFiles: Int = 100,
        maximumLogFileSizeMiB: Int = 1024, registry: RegistrySettings = RegistrySettings()
    ) {
        self.registry = registry
        self.maximumKillTimeout = maximumKillTimeout
        self.dataDirectory = dataDirectory
        self.node = node
        self.region = region
        self.cgroupRoot = cgroupRoot
        self.cgroupParent = cgroupParent
        self.usesCgroups = usesCgroups
        self.pidsLimit = pidsLimit
        self.maximumLogFiles = maximumLogFiles
        self.maximumLogFileSizeMiB = maximumLogFileSizeMiB
    }
}
