import ClusterModel

extension DecodingSession {
    /// The task, and the port labels its legacy `resources { network { … } }` declares.
    mutating func decodeTask(
        _ block: EvaluatedBlock, groupName: String, groupRestart: RestartPolicy, jobName: String
    ) -> (TaskSpec, [PortLabelUse])? {
        let content = open(block, as: .task)
        guard let name = content.label else { return nil }
        if name.isEmpty {
            error("the task name must not be empty", at: content.labelSpan)
        }
        var task = TaskSpec(name: name)
        if let driver = string("driver", in: content) {
            task.driver = driver
        } else {
            reportMissing(severity: .warning, 
                "task \"\(name)\" has no driver, so Roost cannot run it", at: content.headerSpan,
                hint: "add driver = \"raw_exec\", \"exec\" or \"docker\"")
        }
        task.user = string("user", in: content) ?? ""
        task.killSignal = string("kill_signal", in: content) ?? ""
        task.kind = string("kind", in: content) ?? ""
        task.leader = bool("leader", in: content) ?? false
        task.killTimeout = duration("kill_timeout", in: content) ?? TaskSpec.defaultKillTimeout
        task.shutdownDelay = duration("shutdown_delay", in: content) ?? .zero
        if let configBlock = content.block("config") {
            task.config = decodeDriverConfig(configBlock)
        }
        task.env = stringMap("env", in: content) ?? [:]
        task.meta = stringMap("meta", in: content) ?? [:]
        var ports: [PortLabelUse] = []
        if let resourcesBlock = content.block("resources") {
            (task.resources, ports) = decodeResources(resourcesBlock)
        }
        if let logsBlock = content.block("logs") {
            task.logs = decodeLogs(logsBlock)
        }
        if let lifecycleBlock = content.block("lifecycle") {
            task.lifecycle = decodeLifecycle(lifecycleBlock)
        }
        if let restartBlock = content.block("restart") {
            task.restart = decodeRestart(restartBlock, onto: groupRestart)
        }
        if let payloadBlock = content.block("dispatch_payload") {
            task.dispatchPayload = decodeDispatchPayload(payloadBlock)
        }
        task.artifacts = content.blocks("artifact").compactMap { decodeArtifact($0) }
        task.templates = content.blocks("template").compactMap { decodeTemplate($0) }
        task.services = content.blocks("service").compactMap {
            decodeService($0, jobName: jobName, groupName: groupName, taskName: name)
        }
        task.constraints = content.blocks("constraint").compactMap { decodeConstraint($0) }
        task.affinities = content.blocks("affinity").compactMap { decodeAffinity($0) }
        return (task, ports)
    }

    mutating func decodeLogs(_ block: EvaluatedBlock) -> LogConfig {
        let content = open(block, as: .logs)
        var logs = LogConfig()
        if let files = wholeNumber("max_files", in: content, atLeast: 1) { logs.maxFiles = files }
        if let size = wholeNumber("max_file_size", in: content, atLeast: 1) { logs.maxFileSizeMiB = size }
        if let disabled = bool("disabled", in: content) {
            logs.disabled = disabled
        } else if let enabled = bool("enabled", in: content) {
            logs.disabled = !enabled
        }
        return logs
    }

    mutating func decodeLifecycle(_ block: EvaluatedBlock) -> Lifecycle? {
        let content = open(block, as: .lifecycle)
        let sidecar = bool("sidecar", in: content) ?? false
        guard content.has("hook") else {
            reportMissing(
                "lifecycle needs a hook", at: content.headerSpan,
                hint: "add hook = \"prestart\", \"poststart\" or \"poststop\"")
            return nil
        }
        guard let hook = choice("hook", in: content, as: Lifecycle.Hook.self) else { return nil }
        return Lifecycle(hook: hook, sidecar: sidecar)
    }

    /// The file the dispatch payload is written to, checked here so a path that would leave the
    /// task's `local/` directory is refused before the job is ever dispatched.
    mutating func decodeDispatchPayload(_ block: EvaluatedBlock) -> DispatchPayloadConfig? {
        let content = open(block, as: .dispatchPayload)
        guard content.has("file") else {
            reportMissing(
                "dispatch_payload needs a file", at: content.headerSpan,
                hint: "add file = \"input.txt\" (written under the task's local/ directory)")
            return nil
        }
        guard let file = string("file", in: content) else { return nil }
        let config = DispatchPayloadConfig(file: file)
        if config.localComponents == nil, let attribute = content["file"] {
            error(
                "dispatch_payload file \"\(Self.shortened(file))\" must be a relative path inside the task's local/ directory",
                at: attribute.valueSpan, hint: "write a path such as \"input.txt\" or \"in/data.json\", without a leading / or ..")
            return nil
        }
        return config
    }

    mutating func decodeArtifact(_ block: EvaluatedBlock) -> Artifact? {
        let content = open(block, as: .artifact)
        let mode = choice("mode", in: content, among: ["any", "file", "dir"]) ?? "any"
        let destination = string("destination", in: content)
        let options = stringMap("options", in: content) ?? [:]
        let headers = stringMap("headers", in: content) ?? [:]
        guard content.has("source") else {
            reportMissing(
                "artifact needs a source", at: content.headerSpan,
                hint: "add source = \"https://…\" (any URL go-getter understands)")
            return nil
        }
        guard let source = string("source", in: content) else { return nil }
        // Nomad puts a file download at local/<its name>, anything else into local/.
        let defaultDestination = mode == "file" ? "local/" + Self.lastPathComponent(of: source) : "local/"
        return Artifact(
            source: source, destination: destination ?? defaultDestination, mode: mode, options: options,
            headers: headers)
    }

    static func lastPathComponent(of source: String) -> String {
        var path = Substring(source)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        if let slash = path.lastIndex(of: "/"), path.index(after: slash) < path.endIndex {
            return String(path[path.index(after: slash)...])
        }
        return String(path)
    }

    mutating func decodeTemplate(_ block: EvaluatedBlock) -> TemplateSpec? {
        let content = open(block, as: .template)
        var template = TemplateSpec()
        template.sourcePath = string("source", in: content) ?? ""
        template.destinationPath = string("destination", in: content) ?? ""
        template.embeddedTemplate = string("data", in: content) ?? ""
        let changeModes = ["restart", "signal", "script", "noop"]
        if let mode = string("change_mode", in: content) {
            template.changeMode = mode
            if !changeModes.contains(mode), let attribute = content["change_mode"] {
                warning(
                    "change_mode \"\(Self.shortened(mode))\" is not \(Self.alternatives(changeModes)); the template would be refused when submitted",
                    at: attribute.valueSpan, hint: Suggestion.hint(for: mode, among: changeModes))
            }
        }
        if let signal = string("change_signal", in: content) {
            template.changeSignal = signal.uppercased()
        } else if template.changeMode == "signal" {
            template.changeSignal = "SIGHUP"
        }
        if let scriptBlock = content.block("change_script") {
            template.changeScript = decodeChangeScript(scriptBlock)
        } else if template.changeMode == "script" {
            reportMissing(severity: .warning, 
                "change_mode \"script\" needs a change_script block", at: content.headerSpan,
                hint: "add change_script { command = \"…\" }")
        }
        if let splay = duration("splay", in: content) { template.splay = splay }
        if let perms = string("perms", in: content) { template.perms = perms }
        template.uid = wholeNumber("uid", in: content, atLeast: 0)
        template.gid = wholeNumber("gid", in: content, atLeast: 0)
        if let left = string("left_delimiter", in: content) { template.leftDelimiter = left }
        if let right = string("right_delimiter", in: content) { template.rightDelimiter = right }
        template.envvars = bool("env", in: content) ?? false
        template.errorOnMissingKey = bool("error_on_missing_key", in: content) ?? false
        if let waitBlock = content.block("wait") {
            let wait = open(waitBlock, as: .templateWait)
            template.waitMin = duration("min", in: wait)
            template.waitMax = duration("max", in: wait)
            if let minimum = template.waitMin, let maximum = template.waitMax, minimum > maximum,
                let attribute = wait["max"]
            {
                error("wait max must not be shorter than wait min", at: attribute.valueSpan)
            }
        }
        if template.sourcePath.isEmpty, template.embeddedTemplate.isEmpty {
            reportMissing(severity: .warning, 
                "template has neither source nor data, so it renders nothing", at: content.headerSpan,
                hint: "add source = \"…\" or data = \"…\"")
        }
        if template.destinationPath.isEmpty {
            reportMissing(severity: .warning, 
                "template has no destination; Nomad refuses such a template when the job is submitted",
                at: content.headerSpan, hint: "add destination = \"local/…\"")
        }
        return template
    }

    mutating func decodeChangeScript(_ block: EvaluatedBlock) -> TemplateSpec.ChangeScript? {
        let content = open(block, as: .changeScript)
        let args = stringList("args", in: content) ?? []
        let timeout = duration("timeout", in: content) ?? .seconds(5)
        let failOnError = bool("fail_on_error", in: content) ?? false
        guard let command = string("command", in: content) else {
            if !content.has("command") {
                reportMissing("change_script needs a command", at: content.headerSpan, hint: "add command = \"/path/to/script\"")
            }
            return nil
        }
        return TemplateSpec.ChangeScript(command: command, args: args, timeout: timeout, failOnError: failOnError)
    }
}
