import Foundation

/// Everything that goes into one container's OCI runtime `config.json`, and its rendering.
///
/// The defaults follow what Docker gives a container, because Nomad jobs written for the
/// docker driver expect that environment: Docker's 14 capabilities (no CAP_SYS_ADMIN,
/// CAP_NET_ADMIN…), no new privileges, /proc and /sys paths masked or read-only, private pid,
/// ipc, uts and mount namespaces, and host networking (no network namespace), so a task's
/// ports are the host ports the scheduler assigned.
struct OCIContainerSpec {
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
        var resources: [String: Any] = ["devices": [["allow": false, "access": "rwm"]]]
        var memory: [String: Any] = [:]
        if let memoryLimitBytes { memory["limit"] = memoryLimitBytes }
        if let memoryReservationBytes { memory["reservation"] = memoryReservationBytes }
        if !memory.isEmpty { resources["memory"] = memory }
        if let cpuShares { resources["cpu"] = ["shares": cpuShares] }
        if let pidsLimit { resources["pids"] = ["limit": pidsLimit] }
        var process: [String: Any] = [
            "terminal": false,
            "user": ["uid": uid, "gid": gid, "additionalGids": additionalGids],
            "args": arguments,
            "env": environment,
            "cwd": workingDirectory,
            "capabilities": [
                "bounding": Self.capabilities, "effective": Self.capabilities, "permitted": Self.capabilities,
                "inheritable": [String](), "ambient": [String](),
            ],
            "noNewPrivileges": true,
        ]
        if uid != 0 {
            // A non-root user gets no capabilities at all, as with Docker.
            process["capabilities"] = ["bounding": Self.capabilities, "effective": [String](), "permitted": [String](), "inheritable": [String](), "ambient": [String]()]
        }
        var document: [String: Any] = [
            "ociVersion": "1.0.2",
            "process": process,
            "root": ["path": "rootfs", "readonly": false],
            "mounts": mounts.map { ["destination": $0.destination, "type": $0.type, "source": $0.source, "options": $0.options] },
            "linux": [
                "namespaces": [["type": "pid"], ["type": "ipc"], ["type": "uts"], ["type": "mount"]],
                "cgroupsPath": cgroupsPath,
                "resources": resources,
                "maskedPaths": Self.maskedPaths,
                "readonlyPaths": Self.readonlyPaths,
            ] as [String: Any],
        ]
        if let hostname { document["hostname"] = hostname }
        return try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
    }
}
