import ClusterModel

extension DecodingSession {
    static let serviceOnUpdateModes = ["require_healthy", "ignore_warnings", "ignore"]

    /// A group service (no `taskName`) or a task service.
    mutating func decodeService(
        _ block: EvaluatedBlock, jobName: String, groupName: String, taskName: String?
    ) -> ServiceSpec? {
        let content = open(block, as: .service)
        var service = ServiceSpec()
        // Nomad names an unnamed service after where it is declared.
        service.name = string("name", in: content) ?? ([jobName, groupName] + (taskName.map { [$0] } ?? [])).joined(separator: "-")
        service.tags = stringList("tags", in: content) ?? []
        service.canaryTags = stringList("canary_tags", in: content) ?? []
        service.portLabel = string("port", in: content) ?? ""
        service.addressMode = choice("address_mode", in: content, among: ["alloc", "auto", "driver", "host"]) ?? "auto"
        service.address = string("address", in: content) ?? ""
        service.provider = choice("provider", in: content, among: ["consul", "nomad"]) ?? service.provider
        service.meta = stringMap("meta", in: content) ?? [:]
        service.canaryMeta = stringMap("canary_meta", in: content) ?? [:]
        if let task = string("task", in: content) {
            service.taskName = task
            if let taskName, task != taskName, let attribute = content["task"] {
                warning(
                    "task \"\(task)\" is ignored in a service declared inside task \"\(taskName)\"",
                    at: attribute.valueSpan)
            }
        }
        // The service's on_update is the default of its checks (the model keeps it per check).
        let onUpdate = choice("on_update", in: content, among: Self.serviceOnUpdateModes) ?? "require_healthy"
        let serviceCheckRestart = content.block("check_restart").map { decodeCheckRestart($0, onto: nil) }
        service.checks = content.blocks("check").compactMap {
            decodeCheck($0, serviceName: service.name, onUpdate: onUpdate, checkRestart: serviceCheckRestart)
        }
        return service
    }

    mutating func decodeCheck(
        _ block: EvaluatedBlock, serviceName: String, onUpdate: String, checkRestart: CheckSpec.CheckRestart?
    ) -> CheckSpec? {
        let content = open(block, as: .check)
        var check = CheckSpec()
        check.name = string("name", in: content) ?? "service: \"\(serviceName)\" check"
        if content.has("type") {
            check.type = choice("type", in: content, among: ["grpc", "http", "script", "tcp"]) ?? ""
        } else {
            reportMissing(
                "check needs a type", at: content.headerSpan, hint: "add type = \"http\", \"tcp\", \"grpc\" or \"script\"")
        }
        check.command = string("command", in: content) ?? ""
        check.args = stringList("args", in: content) ?? []
        check.path = string("path", in: content) ?? ""
        check.protocolName = choice("protocol", in: content, among: ["http", "https"]) ?? ""
        check.method = string("method", in: content) ?? ""
        check.body = string("body", in: content) ?? ""
        check.portLabel = string("port", in: content) ?? ""
        check.addressMode = choice("address_mode", in: content, among: ["alloc", "driver", "host"]) ?? ""
        check.interval = duration("interval", in: content) ?? .zero
        check.timeout = duration("timeout", in: content) ?? .zero
        check.initialStatus = choice("initial_status", in: content, among: ["passing", "warning", "critical"]) ?? ""
        check.tlsSkipVerify = bool("tls_skip_verify", in: content) ?? false
        check.grpcService = string("grpc_service", in: content) ?? ""
        check.grpcUseTLS = bool("grpc_use_tls", in: content) ?? false
        check.taskName = string("task", in: content) ?? ""
        check.successBeforePassing = wholeNumber("success_before_passing", in: content, atLeast: 0) ?? 0
        check.failuresBeforeCritical = wholeNumber("failures_before_critical", in: content, atLeast: 0) ?? 0
        check.onUpdate = choice("on_update", in: content, among: Self.serviceOnUpdateModes) ?? onUpdate
        check.header = decodeCheckHeader(content)
        if let restartBlock = content.block("check_restart") {
            check.checkRestart = decodeCheckRestart(restartBlock, onto: checkRestart)
        } else {
            check.checkRestart = checkRestart
        }
        if check.type == "script", check.command.isEmpty {
            reportMissing("a script check needs a command", at: content.headerSpan, hint: "add command = \"/path/to/check\"")
        }
        return check
    }

    /// `header { Name = ["value", …] }`: each header may repeat, so values are lists; a
    /// single string is taken as a one-item list.
    private mutating func decodeCheckHeader(_ content: BlockContent) -> [String: [String]] {
        guard let entries = mapEntries("header", in: content) else { return [:] }
        var header: [String: [String]] = [:]
        for entry in entries {
            if let single = Self.text(of: entry.value) {
                header[entry.key] = [single]
            } else if let values = stringList(entry.value, named: "header \"\(entry.key)\"", at: entry.span) {
                header[entry.key] = values
            }
        }
        return header
    }

    /// A check's `check_restart` overrides the service's field by field.
    mutating func decodeCheckRestart(_ block: EvaluatedBlock, onto base: CheckSpec.CheckRestart?) -> CheckSpec.CheckRestart {
        let content = open(block, as: .checkRestart)
        var restart = base ?? CheckSpec.CheckRestart()
        if let limit = wholeNumber("limit", in: content, atLeast: 0) { restart.limit = limit }
        if let grace = duration("grace", in: content) { restart.grace = grace }
        if let ignore = bool("ignore_warnings", in: content) { restart.ignoreWarnings = ignore }
        return restart
    }
}
