import ClusterModel

/// Writes a job in the JSON shape of Nomad's `POST /v1/jobs` body (`{"Job": {…}}` with the
/// PascalCase names of Nomad's `api` package), so `roost job run -output` can be compared
/// with Nomad's and tools written for Nomad's API can read it. Durations are integer
/// nanoseconds; maps are written with sorted keys so output is stable.
public enum NomadJSON {
    public static func encode(_ job: JobSpec, pretty: Bool = true) -> String {
        JSONValue.object([("Job", jobValue(job))]).rendered(pretty: pretty)
    }

    /// The job object alone (what Nomad's `GET /v1/job/:id` answers), followed by fields the
    /// cluster tracks about the job (`Version`, `Status`, `SubmitTime`…).
    public static func jobObject(_ job: JobSpec, appending extra: [(String, NomadJSONScalar)], pretty: Bool = false) -> String {
        guard case .object(var members) = jobValue(job) else { return "{}" }
        for (name, scalar) in extra {
            switch scalar {
            case .integer(let value): members.append((name, .integer(value)))
            case .string(let value): members.append((name, .string(value)))
            case .bool(let value): members.append((name, .bool(value)))
            }
        }
        return JSONValue.object(members).rendered(pretty: pretty)
    }

    static func jobValue(_ job: JobSpec) -> JSONValue {
        var members = jobMembers(job)
        // Only launched jobs say where they came from, so a user's job reads as it always has.
        if let parentID = job.parentID {
            members += [("ParentID", .string(parentID)), ("Dispatched", .bool(job.isDispatched))]
        }
        return .object(members)
    }

    static func jobMembers(_ job: JobSpec) -> [(String, JSONValue)] {
        [
            ("ID", .string(job.id)),
            ("Name", .string(job.name)),
            ("Type", .string(job.type.rawValue)),
            ("Priority", integer(job.priority)),
            ("AllAtOnce", .bool(job.allAtOnce)),
            ("Datacenters", strings(job.datacenters)),
            ("Region", .string(job.region)),
            ("Namespace", .string(job.namespace)),
            ("NodePool", .string(job.nodePool)),
            ("Meta", stringMap(job.meta)),
            ("Constraints", .array(job.constraints.map(constraintValue))),
            ("Affinities", .array(job.affinities.map(affinityValue))),
            ("Spreads", .array(job.spreads.map(spreadValue))),
            ("Update", job.update.map(updateValue) ?? .null),
            ("Periodic", job.periodic.map(periodicValue) ?? .null),
            ("ParameterizedJob", job.parameterized.map(parameterizedValue) ?? .null),
            ("TaskGroups", .array(job.groups.map(groupValue))),
        ]
    }

    static func groupValue(_ group: GroupSpec) -> JSONValue {
        .object([
            ("Name", .string(group.name)),
            ("Count", integer(group.count)),
            ("Constraints", .array(group.constraints.map(constraintValue))),
            ("Affinities", .array(group.affinities.map(affinityValue))),
            ("Spreads", .array(group.spreads.map(spreadValue))),
            ("RestartPolicy", restartValue(group.restart)),
            ("ReschedulePolicy", group.reschedule.map(rescheduleValue) ?? .null),
            ("Update", group.update.map(updateValue) ?? .null),
            ("Migrate", group.migrate.map(migrateValue) ?? .null),
            ("Networks", .array(group.networks.map(networkValue))),
            ("Services", .array(group.services.map(serviceValue))),
            (
                "EphemeralDisk",
                .object([
                    ("SizeMB", integer(group.ephemeralDisk.sizeMiB)),
                    ("Sticky", .bool(group.ephemeralDisk.sticky)),
                    ("Migrate", .bool(group.ephemeralDisk.migrate)),
                ])
            ),
            ("Meta", stringMap(group.meta)),
            ("ShutdownDelay", optionalDuration(group.shutdownDelay)),
            ("StopAfterClientDisconnect", optionalDuration(group.stopAfterClientDisconnect)),
            ("MaxClientDisconnect", optionalDuration(group.maxClientDisconnect)),
            ("Tasks", .array(group.tasks.map { taskValue($0, groupRestart: group.restart) })),
        ])
    }

    /// A task without its own `restart` block follows the group's policy; Nomad's API
    /// spells that out on every task, and so does this.
    static func taskValue(_ task: TaskSpec, groupRestart: RestartPolicy) -> JSONValue {
        .object([
            ("Name", .string(task.name)),
            ("Driver", .string(task.driver)),
            ("User", .string(task.user)),
            ("Config", dynamicMap(task.config)),
            ("Env", stringMap(task.env)),
            ("Resources", resourcesValue(task.resources)),
            ("KillTimeout", duration(task.killTimeout)),
            ("KillSignal", .string(task.killSignal)),
            ("ShutdownDelay", duration(task.shutdownDelay)),
            ("Leader", .bool(task.leader)),
            ("Kind", .string(task.kind)),
            ("Meta", stringMap(task.meta)),
            (
                "LogConfig",
                .object([
                    ("MaxFiles", integer(task.logs.maxFiles)),
                    ("MaxFileSizeMB", integer(task.logs.maxFileSizeMiB)),
                    ("Disabled", .bool(task.logs.disabled)),
                ])
            ),
            ("Artifacts", .array(task.artifacts.map(artifactValue))),
            ("Templates", .array(task.templates.map(templateValue))),
            ("Services", .array(task.services.map(serviceValue))),
            (
                "Lifecycle",
                task.lifecycle.map { .object([("Hook", .string($0.hook.rawValue)), ("Sidecar", .bool($0.sidecar))]) }
                    ?? .null
            ),
            ("RestartPolicy", restartValue(task.restart ?? groupRestart)),
            ("Constraints", .array(task.constraints.map(constraintValue))),
            ("Affinities", .array(task.affinities.map(affinityValue))),
            ("DispatchPayload", task.dispatchPayload.map { .object([("File", .string($0.file))]) } ?? .null),
        ])
    }

    static func resourcesValue(_ resources: Resources) -> JSONValue {
        .object([
            ("CPU", integer(resources.cpuMHz)),
            ("Cores", integer(resources.cores)),
            ("MemoryMB", integer(resources.memoryMiB)),
            ("MemoryMaxMB", integer(resources.memoryMaxMiB)),
            ("Networks", .array(resources.networks.map(networkValue))),
            (
                "Devices",
                .array(
                    resources.devices.map {
                        .object([
                            ("Name", .string($0.name)),
                            ("Count", integer($0.count)),
                            ("Constraints", .array($0.constraints.map(constraintValue))),
                            ("Affinities", .array($0.affinities.map(affinityValue))),
                        ])
                    })
            ),
        ])
    }

    static func networkValue(_ network: NetworkSpec) -> JSONValue {
        .object([
            ("Mode", .string(network.mode)),
            ("Hostname", .string(network.hostname)),
            ("MBits", integer(network.mbits)),
            (
                "DNS",
                network.dns.map {
                    .object([
                        ("Servers", strings($0.servers)),
                        ("Searches", strings($0.searches)),
                        ("Options", strings($0.options)),
                    ])
                } ?? .null
            ),
            ("ReservedPorts", .array(network.reservedPorts.map(portValue))),
            ("DynamicPorts", .array(network.dynamicPorts.map(portValue))),
        ])
    }

    static func portValue(_ port: NetworkSpec.Port) -> JSONValue {
        .object([
            ("Label", .string(port.label)),
            ("Value", integer(port.value)),
            ("To", integer(port.to)),
            ("HostNetwork", .string(port.hostNetwork)),
        ])
    }

    static func serviceValue(_ service: ServiceSpec) -> JSONValue {
        .object([
            ("Name", .string(service.name)),
            ("Tags", strings(service.tags)),
            ("CanaryTags", strings(service.canaryTags)),
            ("PortLabel", .string(service.portLabel)),
            ("AddressMode", .string(service.addressMode)),
            ("Address", .string(service.address)),
            ("Checks", .array(service.checks.map(checkValue))),
            ("Meta", stringMap(service.meta)),
            ("CanaryMeta", stringMap(service.canaryMeta)),
            ("TaskName", .string(service.taskName)),
            ("Provider", .string(service.provider)),
        ])
    }

    static func checkValue(_ check: CheckSpec) -> JSONValue {
        .object([
            ("Name", .string(check.name)),
            ("Type", .string(check.type)),
            ("Command", .string(check.command)),
            ("Args", strings(check.args)),
            ("Path", .string(check.path)),
            ("Protocol", .string(check.protocolName)),
            ("PortLabel", .string(check.portLabel)),
            ("AddressMode", .string(check.addressMode)),
            ("Interval", duration(check.interval)),
            ("Timeout", duration(check.timeout)),
            ("InitialStatus", .string(check.initialStatus)),
            ("TLSSkipVerify", .bool(check.tlsSkipVerify)),
            ("Header", .object(check.header.sorted { $0.key < $1.key }.map { ($0.key, strings($0.value)) })),
            ("Method", .string(check.method)),
            ("Body", .string(check.body)),
            (
                "CheckRestart",
                check.checkRestart.map {
                    .object([
                        ("Limit", integer($0.limit)),
                        ("Grace", duration($0.grace)),
                        ("IgnoreWarnings", .bool($0.ignoreWarnings)),
                    ])
                } ?? .null
            ),
            ("GRPCService", .string(check.grpcService)),
            ("GRPCUseTLS", .bool(check.grpcUseTLS)),
            ("TaskName", .string(check.taskName)),
            ("SuccessBeforePassing", integer(check.successBeforePassing)),
            ("FailuresBeforeCritical", integer(check.failuresBeforeCritical)),
            ("OnUpdate", .string(check.onUpdate)),
        ])
    }

    static func artifactValue(_ artifact: Artifact) -> JSONValue {
        .object([
            ("GetterSource", .string(artifact.source)),
            ("GetterOptions", stringMap(artifact.options)),
            ("GetterHeaders", stringMap(artifact.headers)),
            ("GetterMode", .string(artifact.mode)),
            ("RelativeDest", .string(artifact.destination)),
        ])
    }

    static func templateValue(_ template: TemplateSpec) -> JSONValue {
        let wait: JSONValue =
            template.waitMin == nil && template.waitMax == nil
            ? .null : .object([("Min", optionalDuration(template.waitMin)), ("Max", optionalDuration(template.waitMax))])
        return .object([
            ("SourcePath", .string(template.sourcePath)),
            ("DestPath", .string(template.destinationPath)),
            ("EmbeddedTmpl", .string(template.embeddedTemplate)),
            ("ChangeMode", .string(template.changeMode)),
            ("ChangeSignal", .string(template.changeSignal)),
            (
                "ChangeScript",
                template.changeScript.map {
                    .object([
                        ("Command", .string($0.command)),
                        ("Args", strings($0.args)),
                        ("Timeout", duration($0.timeout)),
                        ("FailOnError", .bool($0.failOnError)),
                    ])
                } ?? .null
            ),
            ("Splay", duration(template.splay)),
            ("Perms", .string(template.perms)),
            ("Uid", template.uid.map(integer) ?? .null),
            ("Gid", template.gid.map(integer) ?? .null),
            ("LeftDelim", .string(template.leftDelimiter)),
            ("RightDelim", .string(template.rightDelimiter)),
            ("Envvars", .bool(template.envvars)),
            ("Wait", wait),
            ("ErrMissingKey", .bool(template.errorOnMissingKey)),
        ])
    }

    static func constraintValue(_ constraint: Constraint) -> JSONValue {
        .object([
            ("LTarget", .string(constraint.leftTarget)),
            ("RTarget", .string(constraint.rightTarget)),
            ("Operand", .string(constraint.operand)),
        ])
    }

    static func affinityValue(_ affinity: Affinity) -> JSONValue {
        .object([
            ("LTarget", .string(affinity.leftTarget)),
            ("RTarget", .string(affinity.rightTarget)),
            ("Operand", .string(affinity.operand)),
            ("Weight", integer(affinity.weight)),
        ])
    }

    static func spreadValue(_ spread: Spread) -> JSONValue {
        .object([
            ("Attribute", .string(spread.attribute)),
            ("Weight", integer(spread.weight)),
            (
                "SpreadTarget",
                .array(spread.targets.map { .object([("Value", .string($0.value)), ("Percent", integer($0.percent))]) })
            ),
        ])
    }

    static func restartValue(_ policy: RestartPolicy) -> JSONValue {
        .object([
            ("Interval", duration(policy.interval)),
            ("Attempts", integer(policy.attempts)),
            ("Delay", duration(policy.delay)),
            ("Mode", .string(policy.mode.rawValue)),
            ("RenderTemplates", .bool(policy.renderTemplates)),
        ])
    }

    static func rescheduleValue(_ policy: ReschedulePolicy) -> JSONValue {
        .object([
            ("Attempts", integer(policy.attempts)),
            ("Interval", duration(policy.interval)),
            ("Delay", duration(policy.delay)),
            ("DelayFunction", .string(policy.delayFunction.rawValue)),
            ("MaxDelay", duration(policy.maxDelay)),
            ("Unlimited", .bool(policy.unlimited)),
        ])
    }

    static func updateValue(_ strategy: UpdateStrategy) -> JSONValue {
        .object([
            ("Stagger", duration(strategy.stagger)),
            ("MaxParallel", integer(strategy.maxParallel)),
            ("HealthCheck", .string(strategy.healthCheck.rawValue)),
            ("MinHealthyTime", duration(strategy.minHealthyTime)),
            ("HealthyDeadline", duration(strategy.healthyDeadline)),
            ("ProgressDeadline", duration(strategy.progressDeadline)),
            ("Canary", integer(strategy.canary)),
            ("AutoRevert", .bool(strategy.autoRevert)),
            ("AutoPromote", .bool(strategy.autoPromote)),
        ])
    }

    static func migrateValue(_ strategy: MigrateStrategy) -> JSONValue {
        .object([
            ("MaxParallel", integer(strategy.maxParallel)),
            ("HealthCheck", .string(strategy.healthCheck.rawValue)),
            ("MinHealthyTime", duration(strategy.minHealthyTime)),
            ("HealthyDeadline", duration(strategy.healthyDeadline)),
        ])
    }

    /// `Spec` holds a single schedule and `Specs` several, as Nomad 1.6 splits `cron` and
    /// `crons`.
    static func periodicValue(_ periodic: PeriodicConfig) -> JSONValue {
        let single = periodic.specs.count == 1
        return .object([
            ("Enabled", .bool(periodic.enabled)),
            ("Spec", .string(single ? periodic.specs[0] : "")),
            ("Specs", strings(single ? [] : periodic.specs)),
            ("SpecType", .string("cron")),
            ("ProhibitOverlap", .bool(periodic.prohibitOverlap)),
            ("TimeZone", .string(periodic.timeZone)),
        ])
    }

    static func parameterizedValue(_ config: ParameterizedConfig) -> JSONValue {
        .object([
            ("Payload", .string(config.payload.rawValue)),
            ("MetaRequired", strings(config.requiredMeta)),
            ("MetaOptional", strings(config.optionalMeta)),
        ])
    }

    // MARK: Scalars

    static func integer(_ value: Int) -> JSONValue { .integer(Int64(value)) }

    static func duration(_ value: Duration) -> JSONValue { .integer(DurationParser.nanoseconds(of: value)) }

    static func optionalDuration(_ value: Duration?) -> JSONValue { value.map(duration) ?? .null }

    static func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }

    static func stringMap(_ map: [String: String]) -> JSONValue {
        .object(map.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }

    static func dynamicMap(_ map: [String: DynamicValue], depth: Int = 0) -> JSONValue {
        .object(map.sorted { $0.key < $1.key }.map { ($0.key, dynamicValue($0.value, depth: depth + 1)) })
    }

    /// Whole numbers stay integers (`count = 3` is `3`, not `3.0`), as Nomad's Go decoder
    /// would give a driver. Nesting deeper than any parsed file can produce is cut off
    /// rather than recursed into.
    static func dynamicValue(_ value: DynamicValue, depth: Int) -> JSONValue {
        guard depth <= ParseLimits.default.maximumDepth else { return .null }
        return switch value {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let number):
            Int64(exactly: number).flatMap { $0.magnitude < 1 << 53 ? JSONValue.integer($0) : nil } ?? .number(number)
        case .string(let text): .string(text)
        case .list(let items): .array(items.map { dynamicValue($0, depth: depth + 1) })
        case .map(let entries): dynamicMap(entries, depth: depth)
        }
    }
}

/// A plain value appended to a job object by `NomadJSON.jobObject`.
public enum NomadJSONScalar: Sendable, Hashable {
    case integer(Int64)
    case string(String)
    case bool(Bool)
}
