import ClusterModel
import Platform

/// Turns what the host looks like into the `Node` a worker registers: the attributes
/// constraints test (`kernel.name`, `cpu.arch`, `driver.raw_exec`…) and the resources the
/// scheduler may hand out.
public enum NodeFingerprinter {
    public static func node(
        id: NodeID, name: String? = nil, datacenter: String = "dc1", nodePool: String = "default",
        meta: [String: String] = [:], httpAddress: String = "", fingerprint: Fingerprint
    ) -> Node {
        node(
            id: id, name: name, datacenter: datacenter, nodePool: nodePool, meta: meta, httpAddress: httpAddress,
            fingerprint: fingerprint, ociRuntime: OCIRuntime.detect()
        )
    }

    /// The same, with the OCI runtime found on the node (nil: no oci/docker driver).
    public static func node(
        id: NodeID, name: String? = nil, datacenter: String = "dc1", nodePool: String = "default",
        meta: [String: String] = [:], httpAddress: String = "", fingerprint: Fingerprint, ociRuntime: OCIRuntime?
    ) -> Node {
        var attributes: [String: String] = [
            "kernel.name": fingerprint.kernelName,
            "kernel.version": fingerprint.kernelVersion,
            "os.name": fingerprint.osName,
            "os.version": fingerprint.osVersion,
            "cpu.arch": fingerprint.architecture,
            "cpu.numcores": String(fingerprint.cpuCores),
            "cpu.totalcompute": String(fingerprint.cpuTotalMHz),
            "cpu.frequency": String(fingerprint.cpuCores > 0 ? fingerprint.cpuTotalMHz / fingerprint.cpuCores : 0),
            "memory.totalbytes": String(fingerprint.memoryBytes),
            "unique.hostname": fingerprint.hostname,
            "driver.raw_exec": "1",
            "os.signals": "SIGHUP,SIGINT,SIGQUIT,SIGABRT,SIGKILL,SIGUSR1,SIGUSR2,SIGPIPE,SIGALRM,SIGTERM",
        ]
        var drivers = ["raw_exec": DriverHealth(detected: true, healthy: true, description: "")]
        if let ociRuntime {
            // `driver = "docker"` jobs run on the oci driver, so both names are offered.
            attributes["driver.oci"] = "1"
            attributes["driver.oci.runtime"] = ociRuntime.kind.rawValue
            attributes["driver.docker"] = "1"
            let health = DriverHealth(detected: true, healthy: true, description: "healthy (\(ociRuntime.kind.rawValue))")
            drivers["oci"] = health
            drivers["docker"] = health
            // Bridge and no-network groups run their containers in namespaces Roost builds
            // (the same test as the Supervisor's bridge: root, ip and iptables).
            if case .success = BridgeNetwork.tools() {
                attributes["network.bridge"] = "1"
            }
            attributes["network.none"] = "1"
        }
        if !fingerprint.cpuModel.isEmpty { attributes["cpu.modelname"] = fingerprint.cpuModel }
        if let version = fingerprint.cgroupVersion { attributes["os.cgroups.version"] = version == .v2 ? "2" : "1" }
        let memoryMiB = Int(clamping: fingerprint.memoryBytes / (1 << 20))
        let description = fingerprint.cgroupVersion == nil ? "healthy (no cgroups: no limits)" : "healthy"
        return Node(
            id: id, name: name ?? fingerprint.hostname, datacenter: datacenter, nodePool: nodePool,
            attributes: attributes, meta: meta,
            resources: NodeResources(cpuMHz: fingerprint.cpuTotalMHz, cores: fingerprint.cpuCores, memoryMiB: memoryMiB),
            drivers: drivers.merging(["raw_exec": DriverHealth(detected: true, healthy: true, description: description)]) { $1 },
            httpAddress: httpAddress
        )
    }
}
