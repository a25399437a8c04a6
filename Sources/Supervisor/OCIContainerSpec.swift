import Foundation

/// Everything that goes into one container's OCI runtime `config.json`, and its rendering.
///
/// The defaults follow what Docker gives a container, because Nomad jobs written for the
/// docker driver expect that environment: Docker's 14 capabilities (no CAP_SYS_ADMIN,
/// CAP_NET_ADMIN…), no new privileges, /proc and /sys paths masked or read-only, private pid,
/// ipc, uts and mount namespaces, and host networking (no network namespace) unless the
/// group asks for a bridge or no network, so a task's ports are the host ports the scheduler
/// assigned.
struct OCIContainerSpec {
    /// Which network the container's processes see.
    enum Network: Equatable {
        /// The node's own (no network namespace).
        case host
        /// The allocation's namespace on the bridge (`/run/netns/…`), shared by its containers.
        case joined(namespacePath: String)
        /// A namespace of its own with only loopback (`network { mode = "none" }`).
        case isolated
    }

    struct Mount {
        var destination: String
        var type: String
        var source: String
        var options: [String]
    }

    var arguments: [String]
    var environment: [String]
    var workingDirectory: String
    var uid: UInt32
    var gid: UInt32
    var additionalGids: [UInt32] = []
    var mounts: [Mount]
    var cgroupsPath: String
    var memoryLimitBytes: Int64?
    var memoryReservationBytes: Int64?
    var cpuShares: Int?
    var pidsLimit: Int?
    var hostname: String?
    var network: Network = .host

    static let capabilities = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
        "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ]
    static let maskedPaths = [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ]
    static let readonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]

    /// The mounts every container gets before the task's own.
    static let baseMounts: [Mount] = [
        Mount(destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"]),
        Mount(destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        Mount(destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]),
        Mount(destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
        Mount(destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"]),
        Mount(destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"]),
        Mount(destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"]),
    ]

    static func bind(_ source: String, at destination: String, readOnly: Bool = false) -> Mount {
        Mount(destination: destination, type: "bind", source: source, options: ["rbind", "rprivate", readOnly ? "ro" : "rw", "nosuid", "nodev"])
    }

    func json() throws -> Data {
        Data(document.bytes)
    }

    /// The config as a JSON document (rendered by `OCIJSONValue`, not JSONSerialization: this
    /// is on every container's start path).
    var document: OCIJSONValue {
        var resources: [(String, OCIJSONValue)] = [("devices", .array([.object([("allow", .bool(false)), ("access", .string("rwm"))])]))]
        var memory: [(String, OCIJSONValue)] = []
        if let memoryLimitBytes { memory.append(("limit", .integer(memoryLimitBytes))) }
        if let memoryReservationBytes { memory.append(("reservation", .integer(memoryReservationBytes))) }
        if !memory.isEmpty { resources.append(("memory", .object(memory))) }
        if let cpuShares { resources.append(("cpu", .object([("shares", .integer(Int64(cpuShares)))]))) }
        if let pidsLimit { resources.append(("pids", .object([("limit", .integer(Int64(pidsLimit)))]))) }
        // A non-root user gets no capabilities at all, as with Docker.
        let granted: OCIJSONValue = uid == 0 ? .strings(Self.capabilities) : .array([])
        let process: OCIJSONValue = .object([
            ("terminal", .bool(false)),
            ("user", .object([("uid", .integer(Int64(uid))), ("gid", .integer(Int64(gid))), ("additionalGids", .array(additionalGids.map { .integer(Int64($0)) }))])),
            ("args", .strings(arguments)),
            ("env", .strings(environment)),
            ("cwd", .string(workingDirectory)),
            ("capabilities", .object([
                ("bounding", .strings(Self.capabilities)), ("effective", granted), ("permitted", granted),
                ("inheritable", .array([])), ("ambient", .array([])),
            ])),
            ("noNewPrivileges", .bool(true)),
        ])
        var namespaces: [OCIJSONValue] = ["pid", "ipc", "uts", "mount"].map { .object([("type", .string($0))]) }
        switch network {
        case .host: break
        case .joined(let path): namespaces.append(.object([("type", .string("network")), ("path", .string(path))]))
        case .isolated: namespaces.append(.object([("type", .string("network"))]))
        }
        var document: [(String, OCIJSONValue)] = [
            ("ociVersion", .string("1.0.2")),
            ("process", process),
            ("root", .object([("path", .string("rootfs")), ("readonly", .bool(false))])),
            ("mounts", .array(mounts.map {
                .object([("destination", .string($0.destination)), ("type", .string($0.type)), ("source", .string($0.source)), ("options", .strings($0.options))])
            })),
            ("linux", .object([
                ("namespaces", .array(namespaces)),
                ("cgroupsPath", .string(cgroupsPath)),
                ("resources", .object(resources)),
                ("maskedPaths", .strings(Self.maskedPaths)),
                ("readonlyPaths", .strings(Self.readonlyPaths)),
            ])),
        ]
        if let hostname { document.append(("hostname", .string(hostname))) }
        return .object(document)
    }
}
