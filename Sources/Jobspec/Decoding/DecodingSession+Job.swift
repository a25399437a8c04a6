import ClusterModel

extension DecodingSession {
    /// What every group of a job starts from: Nomad's defaults for the job's type with the
    /// job-level `update`, `reschedule` and `migrate` blocks merged on top.
    struct GroupInheritance {
        let jobName: String
        let type: JobType
        let update: UpdateStrategy?
        let reschedule: ReschedulePolicy?
        let migrate: MigrateStrategy?
    }

    mutating func decodeFile(_ body: EvaluatedBody) -> JobSpec? {
        let fileStart = SourceSpan(start: body.span.start, end: body.span.start)
        let top = open(body, as: .file, headerSpan: fileStart)
        guard let jobBlock = top.block("job") else {
            error("the file declares no job", at: fileStart, hint: "add a job \"name\" { … } block")
            return nil
        }
        return decodeJob(jobBlock)
    }

    mutating func decodeJob(_ block: EvaluatedBlock) -> JobSpec? {
        let content = open(block, as: .job)
        var id = content.label ?? ""
        var idSpan = content.labelSpan
        if let attribute = content["id"], let explicit = string("id", in: content) {
            id = explicit
            idSpan = attribute.valueSpan
        }
        if content.label != nil || content.has("id") {
            checkJobID(id, at: idSpan)
        }
        let name = string("name", in: content) ?? id
        let type = choice("type", in: content, as: JobType.self) ?? .service

        var job = JobSpec(id: id, name: name, type: type)
        job.priority = wholeNumber("priority", in: content, atLeast: 1, atMost: 100) ?? JobSpec.defaultPriority
        job.allAtOnce = bool("all_at_once", in: content) ?? false
        if let datacenters = stringList("datacenters", in: content), !datacenters.isEmpty {
            job.datacenters = datacenters
        }
        job.region = string("region", in: content) ?? JobSpec.defaultRegion
        job.namespace = string("namespace", in: content) ?? JobSpec.defaultNamespace
        job.nodePool = string("node_pool", in: content) ?? job.nodePool
        job.meta = stringMap("meta", in: content) ?? [:]
        job.constraints = content.blocks("constraint").compactMap { decodeConstraint($0) }
        job.affinities = content.blocks("affinity").compactMap { decodeAffinity($0) }
        job.spreads = content.blocks("spread").compactMap { decodeSpread($0) }

        var update: UpdateStrategy?
        if let updateBlock = content.block("update") {
            let decoded = decodeUpdate(updateBlock, onto: .defaults)
            if type == .service || type == .system {
                // A system job uses max_parallel and stagger: it updates node by node.
                update = decoded
            } else {
                ignoredForType("update", type: type, at: updateBlock, reason: "only service and system jobs roll out updates")
            }
        }
        job.update = update

        var reschedule = ReschedulePolicy.defaults(for: type)
        if let rescheduleBlock = content.block("reschedule") {
            if let base = reschedule {
                reschedule = decodeReschedule(rescheduleBlock, onto: base)
            } else {
                ignoredForType("reschedule", type: type, at: rescheduleBlock, reason: "they run on every node instead")
            }
        }
        var migrate: MigrateStrategy? = type == .service ? .defaults : nil
        if let migrateBlock = content.block("migrate") {
            let decoded = decodeMigrate(migrateBlock, onto: .defaults)
            if type == .service {
                migrate = decoded
            } else {
                ignoredForType("migrate", type: type, at: migrateBlock, reason: "only service jobs migrate off draining nodes")
            }
        }

        if let periodicBlock = content.block("periodic") {
            job.periodic = decodePeriodic(periodicBlock)
            if type != .batch, type != .sysbatch {
                warning(
                    "periodic only launches batch and sysbatch jobs; this \(type.rawValue) job would be refused when submitted",
                    at: periodicBlock.typeSpan, hint: "set type = \"batch\"")
            }
        }
        if let parameterizedBlock = content.block("parameterized") {
            job.parameterized = decodeParameterized(parameterizedBlock)
            if type != .batch, type != .sysbatch {
                warning(
                    "parameterized jobs must be batch or sysbatch; this \(type.rawValue) job would be refused when submitted",
                    at: parameterizedBlock.typeSpan, hint: "set type = \"batch\"")
            }
        }

        let inheritance = GroupInheritance(
            jobName: name, type: type, update: type == .service ? (update ?? .defaults) : (type == .system ? update : nil),
            reschedule: reschedule, migrate: migrate)
        // Groups and legacy job-level tasks keep their order in the file.
        var groupNames = FirstDeclarations()
        job.groups.reserveCapacity(content.allBlocks.count)
        for child in content.allBlocks where child.type == "group" || child.type == "task" {
            let decoded = child.type == "group" ? decodeGroup(child, inheriting: inheritance) : decodeJobLevelTask(child, inheriting: inheritance)
            guard let group = decoded else { continue }
            let labelSpan = child.labels.first?.span ?? child.typeSpan
            guard
                declareOnce(
                    group.name, at: labelSpan, in: &groupNames, kind: "group", scope: "job \"\(id)\"",
                    note: "; a job-level task counts as a group of its name")
            else { continue }
            job.groups.append(group)
        }
        if job.groups.isEmpty {
            warning(
                "job \"\(id)\" has no groups, so it runs nothing", at: content.headerSpan,
                hint: "add a group \"name\" { task \"name\" { … } } block")
        }
        return job
    }

    /// Nomad refuses IDs it cannot put in a URL path or a log line unambiguously.
    mutating func checkJobID(_ id: String, at span: SourceSpan) {
        if id.isEmpty {
            error("the job ID must not be empty", at: span)
        } else if id.contains(" ") {
            error("the job ID \"\(Self.shortened(id))\" must not contain spaces", at: span, hint: "use - or _ instead")
        } else if id.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            error("the job ID must not contain control characters", at: span)
        }
    }

    mutating func ignoredForType(_ block: String, type: JobType, at evaluated: EvaluatedBlock, reason: String) {
        warning(
            "`\(block)` has no effect on \(type.rawValue) jobs and is ignored: \(reason)", at: evaluated.typeSpan)
    }
}
