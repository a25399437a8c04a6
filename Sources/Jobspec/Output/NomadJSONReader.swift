import ClusterModel

/// Reads the JSON job Nomad's API accepts (`POST /v1/jobs` with `{"Job": {…}}`, or the bare
/// job object) into a `JobSpec`, filling in what is absent with the same defaults a job file
/// gets, so a job registers the same whichever way it was written. Structural problems (a
/// string where a number belongs, a task without a driver) are errors with a JSON path.
public enum NomadJSONReader {
    /// Nesting deeper than this is hostile: no job is shaped like it.
    static let maximumDepth = 64

    public static func decodeJob(_ text: String) -> Result<JobSpec, NomadJSONError> {
        do throws(NomadJSONError) {
            let document: DynamicValue
            do {
                document = try JSONReader.decode(text, maximumDepth: maximumDepth)
            } catch {
                throw NomadJSONError(path: "body", message: "not valid JSON: \(error.message)")
            }
            guard case .map(var root) = document else {
                throw NomadJSONError(path: "body", message: "expected a JSON object with a \"Job\" field")
            }
            if let wrapped = NomadJSONFields(root, path: "").value("Job") {
                guard case .map(let job) = wrapped else {
                    throw NomadJSONError(path: "Job", message: "expected an object, got \(wrapped.kindName)")
                }
                root = job
            }
            return .success(try job(NomadJSONFields(root, path: "Job")))
        } catch {
            return .failure(error)
        }
    }

    static func job(_ fields: NomadJSONFields) throws(NomadJSONError) -> JobSpec {
        guard let id = try fields.string("ID"), !id.isEmpty else {
            throw fields.failure("ID", "every job needs an ID")
        }
        let type = try fields.choice("Type", of: JobType.self) ?? .service
        var job = JobSpec(id: id, name: try fields.string("Name").flatMap { $0.isEmpty ? nil : $0 }, type: type)
        if let priority = try fields.integer("Priority") {
            guard (1...100).contains(priority) else { throw fields.failure("Priority", "must be between 1 and 100, got \(priority)") }
            job.priority = priority
        }
        job.allAtOnce = try fields.bool("AllAtOnce") ?? false
        if let datacenters = try fields.strings("Datacenters"), !datacenters.isEmpty { job.datacenters = datacenters }
        job.region = try fields.string("Region").flatMap { $0.isEmpty ? nil : $0 } ?? job.region
        job.namespace = try fields.string("Namespace").flatMap { $0.isEmpty ? nil : $0 } ?? job.namespace
        job.nodePool = try fields.string("NodePool").flatMap { $0.isEmpty ? nil : $0 } ?? job.nodePool
        job.meta = try fields.stringMap("Meta") ?? [:]
        job.constraints = try fields.objects("Constraints").map(constraint)
        job.affinities = try fields.objects("Affinities").map(affinity)
        job.spreads = try fields.objects("Spreads").map(spread)
        if type == .service, let update = try fields.object("Update") {
            job.update = try updateStrategy(update, base: .defaults)
        }
        if let periodic = try fields.object("Periodic") {
            var specs = try periodic.strings("Specs") ?? []
            if let spec = try periodic.string("Spec"), !spec.isEmpty { specs.insert(spec, at: 0) }
            guard !specs.isEmpty else { throw periodic.failure("Spec", "a periodic job needs a cron expression") }
            job.periodic = PeriodicConfig(
                specs: specs, prohibitOverlap: try periodic.bool("ProhibitOverlap") ?? false,
                timeZone: try periodic.string("TimeZone").flatMap { $0.isEmpty ? nil : $0 } ?? "UTC",
                enabled: try periodic.bool("Enabled") ?? true)
        }
        if let parameterized = try fields.object("ParameterizedJob") {
            job.parameterized = ParameterizedConfig(
                payload: try parameterized.choice("Payload", of: ParameterizedConfig.Payload.self) ?? .optional,
                requiredMeta: try parameterized.strings("MetaRequired") ?? [],
                optionalMeta: try parameterized.strings("MetaOptional") ?? [])
        }
        // A job without groups, or a task without a driver, is read as a job file would be;
        // registration rejects it (the same rule for both ways of writing a job).
        let groups = try fields.objects("TaskGroups")
        var names: Set<String> = []
        for groupFields in groups {
            let group = try self.group(groupFields, job: job)
            guard names.insert(group.name).inserted else {
                throw groupFields.failure("Name", "another group of this job is already named \"\(group.name)\"")
            }
            job.groups.append(group)
        }
        return job
    }

    static func group(_ fields: NomadJSONFields, job: JobSpec) throws(NomadJSONError) -> GroupSpec {
        guard let name = try fields.string("Name"), !name.isEmpty else {
            throw fields.failure("Name", "every task group needs a name")
        }
        var group = GroupSpec(
            name: name, restart: RestartPolicy.defaults(for: job.type), reschedule: ReschedulePolicy.defaults(for: job.type))
        let isPerNode = job.type == .system || job.type == .sysbatch
        if let count = try fields.integer("Count", atLeast: 0) {
            guard !isPerNode || count <= 1 else {
                throw fields.failure("Count", "must be 0 or 1 in a \(job.type.rawValue) job, got \(count)")
            }
            group.count = count
        }
        group.constraints = try fields.objects("Constraints").map(constraint)
        group.affinities = try fields.objects("Affinities").map(affinity)
        group.spreads = try fields.objects("Spreads").map(spread)
        if let restart = try fields.object("RestartPolicy") { group.restart = try restartPolicy(restart, base: group.restart) }
        if let reschedule = try fields.object("ReschedulePolicy"), let base = group.reschedule {
            group.reschedule = try reschedulePolicy(reschedule, base: base)
        }
        if job.type == .service {
            // Like a job file: a group without an update block gets the job's (or Nomad's
            // default); an explicit null or `MaxParallel: 0` means no rolling updates.
            if let update = try fields.object("Update") {
                let merged = try updateStrategy(update, base: job.update ?? .defaults)
                group.update = merged.maxParallel == 0 ? nil : merged
            } else if !fields.isPresent("Update") {
                group.update = job.update ?? .defaults
            }
            group.migrate = MigrateStrategy.defaults
        }
        group.networks = try fields.objects("Networks").map(network)
        group.services = try fields.objects("Services").map(service)
        if let disk = try fields.object("EphemeralDisk") {
            group.ephemeralDisk = EphemeralDisk(
                sizeMiB: try disk.integer("SizeMB", atLeast: 0) ?? 300, sticky: try disk.bool("Sticky") ?? false,
                migrate: try disk.bool("Migrate") ?? false)
        }
        group.meta = try fields.stringMap("Meta") ?? [:]
        group.shutdownDelay = try fields.duration("ShutdownDelay")
        group.stopAfterClientDisconnect = try fields.duration("StopAfterClientDisconnect")
        group.maxClientDisconnect = try fields.duration("MaxClientDisconnect")
        let tasks = try fields.objects("Tasks")
        var names: Set<String> = []
        for taskFields in tasks {
            let task = try self.task(taskFields)
            guard names.insert(task.name).inserted else {
                throw taskFields.failure("Name", "another task of group \"\(name)\" is already named \"\(task.name)\"")
            }
            group.tasks.append(task)
        }
        return group
    }

    static func task(_ fields: NomadJSONFields) throws(NomadJSONError) -> TaskSpec {
        guard let name = try fields.string("Name"), !name.isEmpty else {
            throw fields.failure("Name", "every task needs a name")
        }
        var task = TaskSpec(name: name, driver: try fields.string("Driver") ?? "")
        task.user = try fields.string("User") ?? ""
        task.config = try fields.map("Config") ?? [:]
        task.env = try fields.stringMap("Env") ?? [:]
        if let resources = try fields.object("Resources") {
            task.resources = Resources(
                cpuMHz: try resources.integer("CPU", atLeast: 0) ?? Resources.defaultCPUMHz,
                cores: try resources.integer("Cores", atLeast: 0) ?? 0,
                memoryMiB: try resources.integer("MemoryMB", atLeast: 0) ?? Resources.defaultMemoryMiB,
                memoryMaxMiB: try resources.integer("MemoryMaxMB", atLeast: 0) ?? 0,
                networks: try resources.objects("Networks").map(network),
                devices: try resources.objects("Devices").map { (device) throws(NomadJSONError) in
                    DeviceRequest(
                        name: try device.string("Name") ?? "", count: try device.integer("Count", atLeast: 0) ?? 1,
                        constraints: try device.objects("Constraints").map(constraint),
                        affinities: try device.objects("Affinities").map(affinity))
                })
        }
        task.killTimeout = try fields.duration("KillTimeout") ?? TaskSpec.defaultKillTimeout
        task.killSignal = try fields.string("KillSignal") ?? ""
        task.shutdownDelay = try fields.duration("ShutdownDelay") ?? .zero
        task.leader = try fields.bool("Leader") ?? false
        task.kind = try fields.string("Kind") ?? ""
        task.meta = try fields.stringMap("Meta") ?? [:]
        if let logs = try fields.object("LogConfig") {
            task.logs = LogConfig(
                maxFiles: try logs.integer("MaxFiles", atLeast: 1) ?? 10,
                maxFileSizeMiB: try logs.integer("MaxFileSizeMB", atLeast: 1) ?? 10,
                disabled: try logs.bool("Disabled") ?? false)
        }
        task.artifacts = try fields.objects("Artifacts").map { (artifact) throws(NomadJSONError) in
            guard let source = try artifact.string("GetterSource"), !source.isEmpty else {
                throw artifact.failure("GetterSource", "an artifact needs a source")
            }
            return Artifact(
                source: source, destination: try artifact.string("RelativeDest") ?? "local/",
                mode: try artifact.string("GetterMode") ?? "any", options: try artifact.stringMap("GetterOptions") ?? [:],
                headers: try artifact.stringMap("GetterHeaders") ?? [:])
        }
        task.templates = try fields.objects("Templates").map(template)
        task.services = try fields.objects("Services").map(service)
        if let lifecycle = try fields.object("Lifecycle"), let hook = try lifecycle.choice("Hook", of: Lifecycle.Hook.self) {
            task.lifecycle = Lifecycle(hook: hook, sidecar: try lifecycle.bool("Sidecar") ?? false)
        }
        if let restart = try fields.object("RestartPolicy") {
            task.restart = try restartPolicy(restart, base: RestartPolicy.defaults(for: .service))
        }
        task.constraints = try fields.objects("Constraints").map(constraint)
        task.affinities = try fields.objects("Affinities").map(affinity)
        if let payload = try fields.object("DispatchPayload"), let file = try payload.string("File"), !file.isEmpty {
            task.dispatchPayload = DispatchPayloadConfig(file: file)
        }
        return task
    }

    static func template(_ fields: NomadJSONFields) throws(NomadJSONError) -> TemplateSpec {
        let wait = try fields.object("Wait")
        let script = try fields.object("ChangeScript")
        return TemplateSpec(
            sourcePath: try fields.string("SourcePath") ?? "", destinationPath: try fields.string("DestPath") ?? "",
            embeddedTemplate: try fields.string("EmbeddedTmpl") ?? "",
            changeMode: try fields.string("ChangeMode").flatMap { $0.isEmpty ? nil : $0 } ?? "restart",
            changeSignal: try fields.string("ChangeSignal") ?? "",
            changeScript: try script.map { (script) throws(NomadJSONError) in
                TemplateSpec.ChangeScript(
                    command: try script.string("Command") ?? "", args: try script.strings("Args") ?? [],
                    timeout: try script.duration("Timeout") ?? .seconds(5), failOnError: try script.bool("FailOnError") ?? false)
            },
            splay: try fields.duration("Splay") ?? .seconds(5),
            perms: try fields.string("Perms").flatMap { $0.isEmpty ? nil : $0 } ?? "0644",
            uid: try fields.integer("Uid"), gid: try fields.integer("Gid"),
            leftDelimiter: try fields.string("LeftDelim").flatMap { $0.isEmpty ? nil : $0 } ?? "{{",
            rightDelimiter: try fields.string("RightDelim").flatMap { $0.isEmpty ? nil : $0 } ?? "}}",
            envvars: try fields.bool("Envvars") ?? false, errorOnMissingKey: try fields.bool("ErrMissingKey") ?? false,
            waitMin: try wait?.duration("Min"), waitMax: try wait?.duration("Max"))
    }

    static func constraint(_ fields: NomadJSONFields) throws(NomadJSONError) -> Constraint {
        Constraint(
            leftTarget: try fields.string("LTarget") ?? "", rightTarget: try fields.string("RTarget") ?? "",
            operand: try fields.string("Operand").flatMap { $0.isEmpty ? nil : $0 } ?? "=")
    }

    static func affinity(_ fields: NomadJSONFields) throws(NomadJSONError) -> Affinity {
        Affinity(
            leftTarget: try fields.string("LTarget") ?? "", rightTarget: try fields.string("RTarget") ?? "",
            operand: try fields.string("Operand").flatMap { $0.isEmpty ? nil : $0 } ?? "=",
            weight: try fields.integer("Weight") ?? 50)
    }

    static func spread(_ fields: NomadJSONFields) throws(NomadJSONError) -> Spread {
        Spread(
            attribute: try fields.string("Attribute") ?? "", weight: try fields.integer("Weight") ?? 50,
            targets: try fields.objects("SpreadTarget").map { (target) throws(NomadJSONError) in
                Spread.Target(value: try target.string("Value") ?? "", percent: try target.integer("Percent") ?? 0)
            })
    }

    static func restartPolicy(_ fields: NomadJSONFields, base: RestartPolicy) throws(NomadJSONError) -> RestartPolicy {
        RestartPolicy(
            attempts: try fields.integer("Attempts", atLeast: 0) ?? base.attempts,
            interval: try fields.duration("Interval") ?? base.interval, delay: try fields.duration("Delay") ?? base.delay,
            mode: try fields.choice("Mode", of: RestartPolicy.Mode.self) ?? base.mode,
            renderTemplates: try fields.bool("RenderTemplates") ?? base.renderTemplates)
    }

    static func reschedulePolicy(_ fields: NomadJSONFields, base: ReschedulePolicy) throws(NomadJSONError) -> ReschedulePolicy {
        ReschedulePolicy(
            attempts: try fields.integer("Attempts", atLeast: 0) ?? base.attempts,
            interval: try fields.duration("Interval") ?? base.interval, delay: try fields.duration("Delay") ?? base.delay,
            delayFunction: try fields.choice("DelayFunction", of: ReschedulePolicy.DelayFunction.self) ?? base.delayFunction,
            maxDelay: try fields.duration("MaxDelay") ?? base.maxDelay, unlimited: try fields.bool("Unlimited") ?? base.unlimited)
    }

    static func updateStrategy(_ fields: NomadJSONFields, base: UpdateStrategy) throws(NomadJSONError) -> UpdateStrategy {
        UpdateStrategy(
            stagger: try fields.duration("Stagger") ?? base.stagger,
            maxParallel: try fields.integer("MaxParallel", atLeast: 0) ?? base.maxParallel,
            healthCheck: try fields.choice("HealthCheck", of: UpdateStrategy.HealthCheck.self) ?? base.healthCheck,
            minHealthyTime: try fields.duration("MinHealthyTime") ?? base.minHealthyTime,
            healthyDeadline: try fields.duration("HealthyDeadline") ?? base.healthyDeadline,
            progressDeadline: try fields.duration("ProgressDeadline") ?? base.progressDeadline,
            autoRevert: try fields.bool("AutoRevert") ?? base.autoRevert,
            autoPromote: try fields.bool("AutoPromote") ?? base.autoPromote,
            canary: try fields.integer("Canary", atLeast: 0) ?? base.canary)
    }

    static func network(_ fields: NomadJSONFields) throws(NomadJSONError) -> NetworkSpec {
        func ports(_ key: String) throws(NomadJSONError) -> [NetworkSpec.Port] {
            try fields.objects(key).map { (port) throws(NomadJSONError) in
                guard let label = try port.string("Label"), !label.isEmpty else {
                    throw port.failure("Label", "every port needs a label")
                }
                let value = try port.integer("Value", atLeast: 0) ?? 0
                let to = try port.integer("To", atLeast: -1) ?? 0
                guard value <= 65535, to <= 65535 else { throw port.failure("Value", "a port number is at most 65535") }
                return NetworkSpec.Port(
                    label: label, value: value, to: to,
                    hostNetwork: try port.string("HostNetwork").flatMap { $0.isEmpty ? nil : $0 } ?? "default")
            }
        }
        let dns = try fields.object("DNS")
        return NetworkSpec(
            mode: try fields.string("Mode").flatMap { $0.isEmpty ? nil : $0 } ?? "host",
            mbits: try fields.integer("MBits", atLeast: 0) ?? 0, hostname: try fields.string("Hostname") ?? "",
            reservedPorts: try ports("ReservedPorts"), dynamicPorts: try ports("DynamicPorts"),
            dns: try dns.map { (dns) throws(NomadJSONError) in
                NetworkSpec.DNSConfig(
                    servers: try dns.strings("Servers") ?? [], searches: try dns.strings("Searches") ?? [],
                    options: try dns.strings("Options") ?? [])
            })
    }

    static func service(_ fields: NomadJSONFields) throws(NomadJSONError) -> ServiceSpec {
        ServiceSpec(
            name: try fields.string("Name") ?? "", portLabel: try fields.string("PortLabel") ?? "",
            tags: try fields.strings("Tags") ?? [], canaryTags: try fields.strings("CanaryTags") ?? [],
            provider: try fields.string("Provider").flatMap { $0.isEmpty ? nil : $0 } ?? "consul",
            addressMode: try fields.string("AddressMode").flatMap { $0.isEmpty ? nil : $0 } ?? "auto",
            address: try fields.string("Address") ?? "", meta: try fields.stringMap("Meta") ?? [:],
            canaryMeta: try fields.stringMap("CanaryMeta") ?? [:],
            checks: try fields.objects("Checks").map { (check) throws(NomadJSONError) in
                CheckSpec(
                    name: try check.string("Name") ?? "", type: try check.string("Type") ?? "",
                    command: try check.string("Command") ?? "", args: try check.strings("Args") ?? [],
                    path: try check.string("Path") ?? "", protocolName: try check.string("Protocol") ?? "",
                    method: try check.string("Method") ?? "", portLabel: try check.string("PortLabel") ?? "",
                    addressMode: try check.string("AddressMode") ?? "", interval: try check.duration("Interval") ?? .zero,
                    timeout: try check.duration("Timeout") ?? .zero, initialStatus: try check.string("InitialStatus") ?? "",
                    successBeforePassing: try check.integer("SuccessBeforePassing", atLeast: 0) ?? 0,
                    failuresBeforeCritical: try check.integer("FailuresBeforeCritical", atLeast: 0) ?? 0,
                    header: try headers(check), body: try check.string("Body") ?? "",
                    taskName: try check.string("TaskName") ?? "",
                    onUpdate: try check.string("OnUpdate").flatMap { $0.isEmpty ? nil : $0 } ?? "require_healthy",
                    grpcService: try check.string("GRPCService") ?? "", grpcUseTLS: try check.bool("GRPCUseTLS") ?? false,
                    tlsSkipVerify: try check.bool("TLSSkipVerify") ?? false,
                    checkRestart: try check.object("CheckRestart").map { (restart) throws(NomadJSONError) in
                        CheckSpec.CheckRestart(
                            limit: try restart.integer("Limit", atLeast: 0) ?? 0, grace: try restart.duration("Grace") ?? .seconds(1),
                            ignoreWarnings: try restart.bool("IgnoreWarnings") ?? false)
                    })
            },
            taskName: try fields.string("TaskName") ?? "")
    }

    /// `Header` is an object of string lists (`{"Authorization": ["Basic …"]}`).
    static func headers(_ check: NomadJSONFields) throws(NomadJSONError) -> [String: [String]] {
        guard let map = try check.map("Header") else { return [:] }
        let fields = NomadJSONFields(map, path: "\(check.path).Header")
        var result: [String: [String]] = [:]
        for name in map.keys {
            result[name] = try fields.strings(name) ?? []
        }
        return result
    }
}
