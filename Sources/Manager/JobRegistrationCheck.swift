import ClusterModel

/// What a job must have before the cluster accepts it, whichever way it was written (a job
/// file or Nomad's JSON). The jobspec reader accepts half-written jobs so `job validate` can
/// report everything at once; registration is where they must be complete.
enum JobRegistrationCheck {
    static let maximumGroupCount = 10_000
    /// CNI networks (`cni/NAME`) are Nomad's plugin mechanism, which Roost does not have.
    static let supportedNetworkModes: Set<String> = ["host", "bridge", "none"]

    static func problems(in job: JobSpec) -> [String] {
        var problems: [String] = []
        if job.groups.isEmpty {
            problems.append("job \"\(job.id)\" has no group: add a `group \"name\" { task \"name\" { … } }` block")
        }
        for group in job.groups {
            if group.tasks.isEmpty {
                problems.append("group \"\(group.name)\" has no task: add a `task \"name\" { driver = \"raw_exec\" … }` block")
            }
            if group.count > maximumGroupCount {
                problems.append("group \"\(group.name)\" asks for \(group.count) copies; at most \(maximumGroupCount) are allowed")
            }
            for task in group.tasks where task.driver.isEmpty {
                problems.append("task \"\(task.name)\" in group \"\(group.name)\" has no driver: set `driver = \"raw_exec\"` (or \"oci\")")
            }
            for network in group.networks where !supportedNetworkModes.contains(network.mode) {
                problems.append(
                    "group \"\(group.name)\" asks for network mode \"\(network.mode)\", which Roost does not provide: use \"host\" (the default), \"bridge\" (a namespace per allocation on the node's bridge, ports mapped with `to`) or \"none\" (loopback only)")
            }
        }
        problems += PeriodicRegistrationCheck.problems(in: job)
        return problems
    }
}
