import ClusterModel

/// The environment a task starts with: a few variables of the agent (PATH, HOME, LANG), the
/// NOMAD_* variables Nomad jobs rely on, each also as ROOST_*, then the task's own `env`
/// (interpolated), which may override any of them.
public enum TaskEnvironment {
    /// Agent variables passed through; everything else of the agent stays private.
    public static let inheritedNames = ["PATH", "HOME", "USER", "LANG", "LC_ALL", "TZ", "TERM"]

    public static func build(
        allocation: Allocation, task: TaskSpec, directory: AllocationDirectory, node: Node, region: String,
        agentEnvironment: [String: String]
    ) -> (environment: [String: String], interpolator: RuntimeInterpolator) {
        var environment: [String: String] = [:]
        for name in inheritedNames {
            if let value = agentEnvironment[name] { environment[name] = value }
        }
        let resources = allocation.taskResources[task.name] ?? task.resources
        var nomad: [String: String] = [
            "ALLOC_ID": allocation.id.uuid,
            "SHORT_ALLOC_ID": allocation.id.short,
            "ALLOC_NAME": allocation.name,
            "ALLOC_INDEX": String(allocation.index),
            "ALLOC_DIR": directory.sharedDirectory,
            "TASK_DIR": directory.localDirectory(task.name),
            "SECRETS_DIR": directory.secretsDirectory(task.name),
            "TASK_NAME": task.name,
            "GROUP_NAME": allocation.groupName,
            "JOB_ID": allocation.job.id,
            "JOB_NAME": allocation.job.name,
            "JOB_PARENT_ID": allocation.job.parentID ?? "",
            "DC": node.datacenter,
            "REGION": region,
            "NAMESPACE": allocation.namespace,
            "CPU_LIMIT": String(resources.cpuMHz),
            "CPU_CORES": String(resources.cores),
            "MEMORY_LIMIT": String(resources.memoryMiB),
            "NODE_ID": node.id.uuid,
            "NODE_NAME": node.name,
        ]
        if resources.memoryMaxMiB > 0 { nomad["MEMORY_MAX_LIMIT"] = String(resources.memoryMaxMiB) }
        for port in allocation.ports {
            let label = variableName(port.label)
            let inside = port.to > 0 ? port.to : port.value
            nomad["PORT_" + label] = String(inside)
            nomad["HOST_PORT_" + label] = String(port.value)
            nomad["IP_" + label] = port.hostIP
            nomad["ADDR_" + label] = "\(port.hostIP):\(port.value)"
            nomad["HOST_IP_" + label] = port.hostIP
            nomad["HOST_ADDR_" + label] = "\(port.hostIP):\(port.value)"
        }
        var meta = allocation.job.meta
        for (key, value) in allocation.group?.meta ?? [:] { meta[key] = value }
        for (key, value) in task.meta { meta[key] = value }
        for (key, value) in meta {
            nomad["META_" + variableName(key)] = value
            nomad["META_" + key] = value
        }
        for (key, value) in nomad {
            environment["NOMAD_" + key] = value
            environment["ROOST_" + key] = value
        }
        var interpolator = RuntimeInterpolator(environment: environment, node: node, region: region, meta: meta)
        // A name with `=` or NUL cannot be represented in an environment block; such entries are skipped.
        for key in task.env.keys.sorted() where !key.isEmpty && !key.contains("=") && !key.utf8.contains(0) {
            environment[key] = interpolator.interpolate(task.env[key] ?? "")
        }
        interpolator.environment = environment
        return (environment, interpolator)
    }

    /// Port labels and meta keys as environment names: letters, digits and `_`.
    static func variableName(_ label: String) -> String {
        String(label.unicodeScalars.map { scalar -> Character in
            let ok = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
            return ok ? Character(scalar) : "_"
        })
    }
}
