import ClusterModel
import Jobspec

extension AgentConfig {
    /// Reads an agent configuration file. Every problem is reported as a diagnostic with its
    /// `file:line:col` and, where one helps, a hint (an unknown key gets the closest known one);
    /// the config is nil when there is any error, so an agent never starts on half a file.
    public static func decode(_ source: SourceFile) -> (config: AgentConfig?, diagnostics: [Diagnostic]) {
        var sink = DiagnosticSink(source: source)
        var parser = Parser(source: source)
        let syntax = parser.parseFile(into: &sink)
        guard !sink.hasErrors else { return (nil, sink.diagnostics) }
        var evaluator = Evaluator(source: source)
        let body = evaluator.evaluateFile(syntax, into: &sink)
        var reader = AgentConfigReader(sink: sink)
        let config = reader.read(body)
        return (reader.sink.hasErrors ? nil : config, reader.sink.diagnostics)
    }
}

/// Walks an evaluated config file against the keys it may hold.
private struct AgentConfigReader {
    var sink: DiagnosticSink

    static let topAttributes = ["data_dir", "name", "datacenter", "bind_addr", "cgroup_parent", "retry_join", "encrypt", "log_level"]
    static let topBlocks = ["advertise", "ports", "server", "client", "worker"]
    static let addressKeys = ["http", "rpc", "serf"]
    static let serverAttributes = [
        "enabled", "bootstrap_expect", "raft_snapshot_threshold", "data_encryption", "certificate_validity", "worker_down_grace",
        "job_gc_threshold",
    ]
    static let workerAttributes = ["enabled", "servers"]
    static let preemptionAttributes = [
        "system_scheduler_enabled", "sysbatch_scheduler_enabled", "batch_scheduler_enabled", "service_scheduler_enabled",
    ]

    mutating func read(_ body: EvaluatedBody) -> AgentConfig {
        var config = AgentConfig()
        checkKeys(of: body, attributes: Self.topAttributes, blocks: Self.topBlocks, in: "the top level")
        config.dataDirectory = string("data_dir", in: body)
        config.name = string("name", in: body)
        config.datacenter = string("datacenter", in: body)
        config.bindAddress = string("bind_addr", in: body)
        if let (parent, span) = stringWithSpan("cgroup_parent", in: body) {
            if AgentConfigRules.isCgroupName(parent) {
                config.cgroupParent = parent
            } else {
                sink.error("\"cgroup_parent\" must be a plain name (letters, digits, - _ .), got \"\(parent)\"", at: span)
            }
        }
        config.retryJoin = stringList("retry_join", in: body, hint: "for example retry_join = [\"10.0.0.2\", \"10.0.0.3:4648\"]")
        config.encrypt = string("encrypt", in: body)
        if let (level, span) = stringWithSpan("log_level", in: body) {
            if let canonical = AgentConfigRules.logLevel(level) {
                config.logLevel = canonical
            } else {
                sink.error(
                    "\"log_level\" must be one of \(AgentConfigRules.logLevels.joined(separator: ", ")), got \"\(level)\"", at: span,
                    hint: Suggestion.hint(for: level.uppercased(), among: AgentConfigRules.logLevels))
            }
        }
        if let advertise = singleBlock("advertise", in: body) {
            checkKeys(of: advertise.body, attributes: Self.addressKeys, blocks: [], in: "the advertise block")
            config.advertiseHTTP = string("http", in: advertise.body)
            config.advertiseRPC = string("rpc", in: advertise.body)
            config.advertiseSerf = string("serf", in: advertise.body)
        }
        if let ports = singleBlock("ports", in: body) {
            checkKeys(of: ports.body, attributes: Self.addressKeys, blocks: [], in: "the ports block")
            config.httpPort = port("http", in: ports.body)
            config.rpcPort = port("rpc", in: ports.body)
            config.serfPort = port("serf", in: ports.body)
        }
        if let server = singleBlock("server", in: body) {
            checkKeys(of: server.body, attributes: Self.serverAttributes, blocks: ["default_scheduler_config"], in: "the server block")
            if let scheduler = singleBlock("default_scheduler_config", in: server.body) {
                checkKeys(of: scheduler.body, attributes: [], blocks: ["preemption_config"], in: "the default_scheduler_config block")
                if let preemption = singleBlock("preemption_config", in: scheduler.body) {
                    checkKeys(of: preemption.body, attributes: Self.preemptionAttributes, blocks: [], in: "the preemption_config block")
                    var defaults = AgentPreemptionDefaults()
                    defaults.systemSchedulerEnabled = bool("system_scheduler_enabled", in: preemption.body)
                    defaults.sysBatchSchedulerEnabled = bool("sysbatch_scheduler_enabled", in: preemption.body)
                    defaults.batchSchedulerEnabled = bool("batch_scheduler_enabled", in: preemption.body)
                    defaults.serviceSchedulerEnabled = bool("service_scheduler_enabled", in: preemption.body)
                    config.preemptionDefaults = defaults
                }
            }
            config.serverEnabled = bool("enabled", in: server.body)
            config.bootstrapExpect = wholeNumber(
                "bootstrap_expect", in: server.body, range: AgentConfigRules.bootstrapExpect,
                meaning: "the number of managers, 1 to 9 (3 or 5 in production)").map { Int($0) }
            config.raftSnapshotThreshold = wholeNumber(
                "raft_snapshot_threshold", in: server.body, range: Int64(AgentConfigRules.minimumSnapshotThreshold)...Int64(1 << 40),
                meaning: "a number of Raft entries, at least 16").map { UInt64($0) }
            config.dataEncryption = bool("data_encryption", in: server.body)
            config.certificateValidity = duration("certificate_validity", in: server.body, allowed: AgentConfigRules.certificateValidity)
            config.workerDownGrace = duration("worker_down_grace", in: server.body, allowed: AgentConfigRules.workerDownGrace)
            config.jobGarbageThreshold = duration("job_gc_threshold", in: server.body, allowed: AgentConfigRules.jobGarbageThreshold)
        }
        let workerBlocks = body.blocks.filter { $0.type == "client" || $0.type == "worker" }
        if workerBlocks.count > 1 {
            sink.error(
                "only one \"client\" (or \"worker\") block is allowed", at: workerBlocks[1].typeSpan,
                hint: "\"client\" and \"worker\" are two names for the same block; merge them")
        }
        if let worker = workerBlocks.first {
            checkLabels(of: worker)
            checkKeys(of: worker.body, attributes: Self.workerAttributes, blocks: ["meta", "registry"], in: "the \(worker.type) block")
            config.workerEnabled = bool("enabled", in: worker.body)
            config.workerServers = stringList("servers", in: worker.body, hint: "for example servers = [\"10.0.0.1:4647\"]")
            if let meta = singleBlock("meta", in: worker.body) {
                config.nodeMeta = stringMap(meta.body)
            }
            let registries = worker.body.blocks.filter { $0.type == "registry" }.compactMap { registry($0) }
            if !registries.isEmpty { config.registries = registries }
        }
        return config
    }

    static let registryAttributes = ["insecure", "username", "password"]

    /// `registry "HOST[:PORT]" { insecure = true  username = "…"  password = "…" }`.
    mutating func registry(_ block: EvaluatedBlock) -> AgentRegistry? {
        guard block.labels.count == 1, let label = block.labels.first else {
            sink.error(
                "the \"registry\" block takes one label, the registry's HOST[:PORT]", at: block.typeSpan,
                hint: "write registry \"registry.local:5000\" { insecure = true }")
            return nil
        }
        guard AgentRegistry.isHost(label.value) else {
            sink.error(
                "\"\(label.value)\" is not a registry's HOST[:PORT]", at: label.span,
                hint: "give the host as images name it, without http:// or a path, e.g. registry \"registry.local:5000\"")
            return nil
        }
        checkKeys(of: block.body, attributes: Self.registryAttributes, blocks: [], in: "the registry block")
        let username = string("username", in: block.body)
        let password = string("password", in: block.body)
        if (username == nil) != (password == nil) {
            sink.error(
                "the registry block for \"\(label.value)\" has a \(username == nil ? "password" : "username") but no \(username == nil ? "username" : "password")",
                at: block.typeSpan, hint: "give both username and password, or neither")
            return nil
        }
        return AgentRegistry(host: label.value, insecure: bool("insecure", in: block.body) ?? false, username: username, password: password)
    }

    // MARK: Keys

    /// Reports attributes and blocks that are not allowed here, with the closest allowed
    /// name, and names used as the wrong one of the two (`server = true`).
    mutating func checkKeys(of body: EvaluatedBody, attributes: [String], blocks: [String], in place: String) {
        for attribute in body.attributes where !attributes.contains(attribute.name) {
            if blocks.contains(attribute.name) {
                sink.error(
                    "\"\(attribute.name)\" is a block, not an attribute", at: attribute.nameSpan,
                    hint: "write \(attribute.name) { ... } without the \"=\"")
            } else {
                sink.error(
                    "unknown key \"\(attribute.name)\" in \(place)", at: attribute.nameSpan,
                    hint: Suggestion.hint(for: attribute.name, among: attributes + blocks) ?? "allowed here: \((attributes + blocks).joined(separator: ", "))")
            }
        }
        for block in body.blocks where !blocks.contains(block.type) {
            if attributes.contains(block.type) {
                sink.error(
                    "\"\(block.type)\" is an attribute, not a block", at: block.typeSpan, hint: "write \(block.type) = VALUE")
            } else {
                sink.error(
                    "unknown block \"\(block.type)\" in \(place)", at: block.typeSpan,
                    hint: Suggestion.hint(for: block.type, among: blocks + attributes) ?? "allowed here: \((attributes + blocks).joined(separator: ", "))")
            }
        }
    }

    /// The one block of `type` (nil when absent); a second one and labels are errors.
    mutating func singleBlock(_ type: String, in body: EvaluatedBody) -> EvaluatedBlock? {
        let found = body.blocks.filter { $0.type == type }
        guard let first = found.first else { return nil }
        if found.count > 1 {
            let line = sink.source.location(of: first.typeSpan.start).line
            sink.error("only one \"\(type)\" block is allowed (the first is on line \(line))", at: found[1].typeSpan, hint: "merge the two blocks")
        }
        checkLabels(of: first)
        return first
    }

    mutating func checkLabels(of block: EvaluatedBlock) {
        if let label = block.labels.first {
            sink.error("the \"\(block.type)\" block takes no label", at: label.span, hint: "write \(block.type) { ... }")
        }
    }

    // MARK: Values

    func attribute(_ name: String, in body: EvaluatedBody) -> EvaluatedAttribute? {
        body.attributes.first { $0.name == name }
    }

    mutating func typeError(_ attribute: EvaluatedAttribute, expected: String, hint: String? = nil) {
        sink.error("\"\(attribute.name)\" must be \(expected), got a \(attribute.value.kindName)", at: attribute.valueSpan, hint: hint)
    }

    mutating func stringWithSpan(_ name: String, in body: EvaluatedBody) -> (String, SourceSpan)? {
        guard let attribute = attribute(name, in: body) else { return nil }
        guard case .string(let text) = attribute.value else {
            typeError(attribute, expected: "a string", hint: "put the value in double quotes")
            return nil
        }
        return (text, attribute.valueSpan)
    }

    mutating func string(_ name: String, in body: EvaluatedBody) -> String? {
        stringWithSpan(name, in: body)?.0
    }

    mutating func bool(_ name: String, in body: EvaluatedBody) -> Bool? {
        guard let attribute = attribute(name, in: body) else { return nil }
        guard case .bool(let value) = attribute.value else {
            typeError(attribute, expected: "true or false", hint: "write \(name) = true (without quotes)")
            return nil
        }
        return value
    }

    mutating func wholeNumber(_ name: String, in body: EvaluatedBody, range: ClosedRange<Int64>, meaning: String) -> Int64? {
        guard let attribute = attribute(name, in: body) else { return nil }
        guard case .number(let number) = attribute.value else {
            var example = "\(range.lowerBound)"
            if case .string(let text) = attribute.value, Int64(text) != nil { example = text }
            typeError(attribute, expected: "a whole number (\(meaning))", hint: "write \(name) = \(example) (without quotes)")
            return nil
        }
        guard let whole = Int64(exactly: number), range.contains(whole) else {
            sink.error("\"\(name)\" must be \(meaning), got \(attribute.value.displayText)", at: attribute.valueSpan)
            return nil
        }
        return whole
    }

    mutating func wholeNumber(_ name: String, in body: EvaluatedBody, range: ClosedRange<Int>, meaning: String) -> Int64? {
        wholeNumber(name, in: body, range: Int64(range.lowerBound)...Int64(range.upperBound), meaning: meaning)
    }

    /// A duration in Go's notation (`"720h"`, `"90s"`), within `allowed`.
    mutating func duration(_ name: String, in body: EvaluatedBody, allowed: ClosedRange<Duration>) -> Duration? {
        guard let (text, span) = stringWithSpan(name, in: body) else { return nil }
        switch DurationParser.parse(text) {
        case .success(let duration) where allowed.contains(duration):
            return duration
        case .success:
            sink.error(
                "\"\(name)\" must be from \(AgentConfigRules.describe(allowed.lowerBound)) to \(AgentConfigRules.describe(allowed.upperBound)), got \"\(text)\"", at: span)
        case .failure(let failure):
            sink.error("\"\(name)\" = \"\(text)\" is not a valid duration: \(failure.reason)", at: span, hint: DurationParser.acceptedForms)
        }
        return nil
    }

    mutating func port(_ name: String, in body: EvaluatedBody) -> Int? {
        wholeNumber(name, in: body, range: AgentConfigRules.ports, meaning: "a port number from 0 to 65535").map { Int($0) }
    }

    mutating func stringList(_ name: String, in body: EvaluatedBody, hint: String) -> [String]? {
        guard let attribute = attribute(name, in: body) else { return nil }
        guard case .list(let items) = attribute.value else {
            typeError(attribute, expected: "a list of strings", hint: hint)
            return nil
        }
        var strings: [String] = []
        for item in items {
            guard case .string(let text) = item else {
                sink.error("\"\(name)\" must hold only strings, found a \(item.kindName)", at: attribute.valueSpan, hint: hint)
                return nil
            }
            strings.append(text)
        }
        return strings
    }

    /// A block of free-form `key = "value"` pairs (node meta).
    mutating func stringMap(_ body: EvaluatedBody) -> [String: String]? {
        for block in body.blocks {
            sink.error("node meta holds only key = \"value\" pairs, not blocks", at: block.typeSpan)
        }
        var map: [String: String] = [:]
        for attribute in body.attributes {
            guard case .string(let text) = attribute.value else {
                typeError(attribute, expected: "a string (node meta values are strings)", hint: "put the value in double quotes")
                continue
            }
            map[attribute.name] = text
        }
        return map
    }
}

extension DynamicValue {
    /// The value as a user wrote it, for messages (`3.5`, `true`, `"x"`).
    fileprivate var displayText: String {
        switch self {
        case .number(let number):
            if let whole = Int64(exactly: number) { return String(whole) }
            return String(number)
        case .string(let text): return "\"\(text)\""
        case .bool(let value): return String(value)
        default: return "a \(kindName)"
        }
    }
}
