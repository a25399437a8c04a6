import ClusterModel

/// One service check of an allocation, with everything the health core needs: when it may run
/// (its task), how often, what it probes, and how it counts for restarts and deployments.
struct CheckDefinition: Sendable, Hashable {
    /// How a check's result counts for the allocation's deployment health (`on_update`).
    enum HealthRequirement: Sendable, Hashable {
        /// Must be passing (`require_healthy`, the default).
        case passing
        /// Passing or warning (`ignore_warnings`).
        case passingOrWarning
        /// Does not count (`ignore`).
        case ignored
    }

    var name: String
    var serviceName: String
    var type: String
    /// The task that must run for the check to run; "" for a group service's check, which
    /// runs while every main task of the allocation runs.
    var taskName: String
    /// The task whose state shows the check to users.
    var displayTask: String
    var target: CheckTarget
    var interval: Duration
    var timeout: Duration
    var initialStatus: ServiceCheckHealth
    var successBeforePassing: Int
    var failuresBeforeCritical: Int
    /// `check_restart` with a positive limit; nil when the check never restarts its task.
    var restart: CheckSpec.CheckRestart?
    var requirement: HealthRequirement

    /// Nomad refuses check intervals and timeouts under a second; a worker clamps instead, so
    /// a job decoded elsewhere cannot make it probe in a busy loop.
    static let minimumInterval: Duration = .seconds(1)
    static let minimumTimeout: Duration = .seconds(1)
    static let defaultInterval: Duration = .seconds(10)
    static let defaultTimeout: Duration = .seconds(5)
    /// Longer values are cut to a day; probing less often than that helps nobody.
    static let maximumDuration: Duration = .seconds(86_400)
    /// The most checks one allocation runs.
    static let maximumChecks = 64

    /// Every check of the allocation's group and tasks, in declaration order (group services
    /// first), at most `maximumChecks`.
    static func all(for allocation: Allocation) -> [CheckDefinition] {
        guard let group = allocation.group else { return [] }
        let mainTasks = group.tasks.filter { $0.lifecycle == nil }.map(\.name)
        let fallbackTask = mainTasks.first ?? group.tasks.first?.name ?? ""
        var result: [CheckDefinition] = []
        for service in group.services {
            for check in service.checks {
                let owner = check.taskName.isEmpty ? service.taskName : check.taskName
                let display = owner.isEmpty ? fallbackTask : owner
                result.append(make(check, service: service, taskName: owner, displayTask: display, allocation: allocation))
            }
        }
        for task in group.tasks {
            for service in task.services {
                for check in service.checks {
                    result.append(make(check, service: service, taskName: task.name, displayTask: task.name, allocation: allocation))
                }
            }
        }
        return Array(result.prefix(maximumChecks))
    }

    private static func make(
        _ check: CheckSpec, service: ServiceSpec, taskName: String, displayTask: String, allocation: Allocation
    ) -> CheckDefinition {
        let requirement: HealthRequirement =
            switch check.onUpdate {
            case "ignore": .ignored
            case "ignore_warnings": .passingOrWarning
            default: .passing
            }
        let restart = check.checkRestart.flatMap { $0.limit > 0 ? $0 : nil }
        return CheckDefinition(
            name: check.name.isEmpty ? "service: \"\(service.name)\" check" : check.name,
            serviceName: service.name, type: check.type, taskName: taskName, displayTask: displayTask,
            target: target(of: check, service: service, taskName: taskName, allocation: allocation),
            interval: clamp(check.interval, default: defaultInterval, minimum: minimumInterval),
            timeout: clamp(check.timeout, default: defaultTimeout, minimum: minimumTimeout),
            initialStatus: ServiceCheckHealth(rawValue: check.initialStatus) ?? .pending,
            successBeforePassing: max(check.successBeforePassing, 0),
            failuresBeforeCritical: max(check.failuresBeforeCritical, 0),
            restart: restart, requirement: requirement
        )
    }

    private static func clamp(_ value: Duration, default fallback: Duration, minimum: Duration) -> Duration {
        if value <= .zero { return fallback }
        return min(max(value, minimum), maximumDuration)
    }

    private static func target(of check: CheckSpec, service: ServiceSpec, taskName: String, allocation: Allocation) -> CheckTarget {
        let subject = "check \"\(check.name)\" of service \"\(service.name)\""
        switch check.type {
        case "http", "tcp":
            let label = check.portLabel.isEmpty ? service.portLabel : check.portLabel
            let endpoint: (host: String, port: Int)
            switch resolvePort(label, allocation: allocation) {
            case .success(let resolved): endpoint = resolved
            case .failure(let problem): return .unsupported(reason: "\(subject): \(problem.reason)")
            }
            if check.type == "tcp" { return .tcp(host: endpoint.host, port: endpoint.port) }
            let scheme = check.protocolName.isEmpty ? "http" : check.protocolName.lowercased()
            guard scheme == "http" else {
                return .unsupported(reason: "\(subject): protocol \"\(scheme)\" is not supported by this worker; use protocol = \"http\"")
            }
            var path = check.path.isEmpty ? "/" : check.path
            if !path.hasPrefix("/") { path = "/" + path }
            let method = check.method.isEmpty ? "GET" : check.method.uppercased()
            guard method.utf8.allSatisfy({ (65...90).contains($0) }), method.utf8.count <= 16 else {
                return .unsupported(reason: "\(subject): method \"\(check.method)\" is not an HTTP method; use GET, HEAD, POST…")
            }
            return .http(
                HTTPCheckRequest(
                    host: endpoint.host, port: endpoint.port, method: method, path: path, headers: check.header,
                    body: check.body))
        case "script":
            guard !taskName.isEmpty else {
                return .unsupported(reason: "\(subject): a script check of a group service needs task = \"<task>\" to run in")
            }
            guard let task = allocation.group?.tasks.first(where: { $0.name == taskName }) else {
                return .unsupported(reason: "\(subject): task \"\(taskName)\" is not in the group")
            }
            guard task.driver == "raw_exec" || OCIDriver.driverNames.contains(task.driver) else {
                return .unsupported(
                    reason: "\(subject): script checks run in raw_exec and oci (docker) tasks on this worker (task \"\(taskName)\" uses \(task.driver))")
            }
            guard !check.command.isEmpty else {
                return .unsupported(reason: "\(subject): a script check needs command = \"…\"")
            }
            return .script(task: taskName, command: check.command, arguments: check.args)
        default:
            return .unsupported(reason: "\(subject): type \"\(check.type)\" is not supported by this worker; use http, tcp or script")
        }
    }

    struct PortProblem: Error {
        var reason: String
    }

    /// A port label of the group's network (its host port), or a literal port number; the
    /// address is 127.0.0.1 unless the port was given a specific host address.
    static func resolvePort(_ label: String, allocation: Allocation) -> Result<(host: String, port: Int), PortProblem> {
        if label.isEmpty {
            return .failure(PortProblem(reason: "no port: set port = \"<label>\" on the check or its service"))
        }
        if let port = allocation.ports.first(where: { $0.label == label }) {
            let host = port.hostIP.isEmpty || port.hostIP == "0.0.0.0" ? "127.0.0.1" : port.hostIP
            return .success((host, port.value))
        }
        if let number = Int(label), (1...65_535).contains(number) {
            return .success(("127.0.0.1", number))
        }
        return .failure(
            PortProblem(reason: "port \"\(label)\" is not a port of the group's network; add network { port \"\(label)\" {} }"))
    }
}
