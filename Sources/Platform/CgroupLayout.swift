/// Where a host's cgroup hierarchies are, found at runtime from the files under a root
/// (normally `/sys/fs/cgroup`; a temporary directory in tests).
public struct CgroupLayout: Sendable, Hashable {
    public var root: String
    public var version: CgroupVersion
    /// v1 only: the mount of each controller Roost uses (`memory`, `cpu`, `pids`, `freezer`).
    public var controllerMounts: [String: String]
    /// The cgroup2 mount: `root` on v2, `root/unified` on a hybrid host, nil on pure v1. On a
    /// hybrid host it has no controllers but still offers `cgroup.kill` and `cgroup.events`.
    public var unifiedMount: String?
    /// v2 only: the controllers the root offers.
    public var unifiedControllers: Set<String>

    public init(
        root: String, version: CgroupVersion, controllerMounts: [String: String] = [:], unifiedMount: String? = nil,
        unifiedControllers: Set<String> = []
    ) {
        self.root = root
        self.version = version
        self.controllerMounts = controllerMounts
        self.unifiedMount = unifiedMount
        self.unifiedControllers = unifiedControllers
    }

    /// The v1 controllers Roost puts tasks in; `cpu` may be co-mounted as `cpu,cpuacct`.
    public static let v1Controllers = ["memory", "cpu", "pids", "freezer"]
    /// The v2 controllers Roost enables for task cgroups.
    public static let v2Controllers = ["memory", "cpu", "pids"]

    /// Reads the layout under `root`: v2 when the root is a cgroup2 mount whose controllers
    /// include memory, else v1 when a `memory` hierarchy exists; nil when there are no cgroups.
    public static func detect(root: String = "/sys/fs/cgroup") -> CgroupLayout? {
        let trimmedRoot = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        if let text = FileIO.readText(trimmedRoot + "/cgroup.controllers", limit: 4096) {
            let controllers = Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
            if controllers.contains("memory") {
                return CgroupLayout(root: trimmedRoot, version: .v2, unifiedMount: trimmedRoot, unifiedControllers: controllers)
            }
        }
        var mounts: [String: String] = [:]
        for controller in v1Controllers {
            let direct = trimmedRoot + "/" + controller
            if FileIO.isDirectory(direct) {
                mounts[controller] = direct
            } else if controller == "cpu", FileIO.isDirectory(trimmedRoot + "/cpu,cpuacct") {
                mounts[controller] = trimmedRoot + "/cpu,cpuacct"
            }
        }
        guard mounts["memory"] != nil else { return nil }
        let unified = trimmedRoot + "/unified"
        let hasUnified = FileIO.exists(unified + "/cgroup.procs") || FileIO.exists(unified + "/cgroup.controllers")
        return CgroupLayout(root: trimmedRoot, version: .v1, controllerMounts: mounts, unifiedMount: hasUnified ? unified : nil)
    }
}
