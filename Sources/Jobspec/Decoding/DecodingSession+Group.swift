import ClusterModel

extension DecodingSession {
    /// A port label as written, kept with its span so a collision can point at it.
    struct PortLabelUse {
        let label: String
        let span: SourceSpan
    }

    mutating func decodeGroup(_ block: EvaluatedBlock, inheriting inheritance: GroupInheritance) -> GroupSpec? {
        let content = open(block, as: .group)
        let name = content.label ?? ""
        if content.label == "" {
            error("the group name must not be empty", at: content.labelSpan)
        }
        let type = inheritance.type
        var group = startGroup(named: name, inheriting: inheritance)

        let maximumCount = type == .system || type == .sysbatch ? 1 : nil
        if let count = wholeNumber("count", in: content, atLeast: 0) {
            if let maximumCount, count > maximumCount, let attribute = content["count"] {
                error(
                    "count must be 0 or 1 in a \(type.rawValue) job, got \(count)", at: attribute.valueSpan,
                    hint: "\(type.rawValue) jobs run one copy of the group on every eligible node")
            } else {
                group.count = count
            }
        }
        group.constraints = content.blocks("constraint").compactMap { decodeConstraint($0) }
        group.affinities = content.blocks("affinity").compactMap { decodeAffinity($0) }
        group.spreads = content.blocks("spread").compactMap { decodeSpread($0) }
        if let restartBlock = content.block("restart") {
            group.restart = decodeRestart(restartBlock, onto: group.restart)
        }
        if let rescheduleBlock = content.block("reschedule") {
            if let base = group.reschedule {
                group.reschedule = decodeReschedule(rescheduleBlock, onto: base)
            } else {
                ignoredForType("reschedule", type: type, at: rescheduleBlock, reason: "they run on every node instead")
            }
        }
        if let updateBlock = content.block("update") {
            if let base = inheritance.update ?? (type == .system ? UpdateStrategy.defaults : nil) {
                let merged = decodeUpdate(updateBlock, onto: base)
                group.update = merged.maxParallel == 0 ? nil : merged
            } else {
                ignoredForType("update", type: type, at: updateBlock, reason: "only service and system jobs roll out updates")
            }
        }
        if let migrateBlock = content.block("migrate") {
            if let base = inheritance.migrate {
                group.migrate = decodeMigrate(migrateBlock, onto: base)
            } else {
                ignoredForType("migrate", type: type, at: migrateBlock, reason: "only service jobs migrate off draining nodes")
            }
        }
        var portLabels = PortLabelSet()
        if let networkBlock = content.block("network") {
            let (network, ports) = decodeNetwork(networkBlock)
            group.networks = [network]
            registerPortLabels(ports, in: &portLabels)
        }
        group.services = content.blocks("service").compactMap {
            decodeService($0, jobName: inheritance.jobName, groupName: name, taskName: nil)
        }
        if let diskBlock = content.block("ephemeral_disk") {
            group.ephemeralDisk = decodeEphemeralDisk(diskBlock)
        }
        group.meta = stringMap("meta", in: content) ?? [:]
        group.shutdownDelay = duration("shutdown_delay", in: content)
        group.stopAfterClientDisconnect = duration("stop_after_client_disconnect", in: content)
        group.maxClientDisconnect = duration("max_client_disconnect", in: content)

        var taskNames = FirstDeclarations()
        for taskBlock in content.blocks("task") {
            guard let (task, ports) = decodeTask(taskBlock, groupName: name, groupRestart: group.restart, jobName: inheritance.jobName) else { continue }
            let labelSpan = taskBlock.labels.first?.span ?? taskBlock.typeSpan
            guard declareOnce(task.name, at: labelSpan, in: &taskNames, kind: "task", scope: "group \"\(name)\"") else {
                continue
            }
            // A task's legacy network shares the group's port namespace, not its siblings'.
            var labelsSeenByTask = portLabels
            registerPortLabels(ports, in: &labelsSeenByTask)
            group.tasks.append(task)
        }
        return group
    }

    /// A `task` directly inside `job` (the HCL1 form) runs as a group of the same name with
    /// one copy of that task, as Nomad does.
    mutating func decodeJobLevelTask(_ block: EvaluatedBlock, inheriting inheritance: GroupInheritance) -> GroupSpec? {
        let name = block.labels.first?.value ?? ""
        var group = startGroup(named: name, inheriting: inheritance)
        guard let (task, ports) = decodeTask(block, groupName: group.name, groupRestart: group.restart, jobName: inheritance.jobName) else { return nil }
        var labels = PortLabelSet()
        registerPortLabels(ports, in: &labels)
        group.tasks = [task]
        return group
    }

    /// A group with nothing written yet: the job type's defaults and what the job sets.
    func startGroup(named name: String, inheriting inheritance: GroupInheritance) -> GroupSpec {
        let update = inheritance.update.flatMap { $0.maxParallel == 0 ? nil : $0 }
        return GroupSpec(
            name: name, restart: .defaults(for: inheritance.type), reschedule: inheritance.reschedule,
            update: update, migrate: inheritance.migrate)
    }

    mutating func decodeEphemeralDisk(_ block: EvaluatedBlock) -> EphemeralDisk {
        let content = open(block, as: .ephemeralDisk)
        var disk = EphemeralDisk()
        if let size = wholeNumber("size", in: content, atLeast: 0) { disk.sizeMiB = size }
        if let sticky = bool("sticky", in: content) { disk.sticky = sticky }
        if let migrate = bool("migrate", in: content) { disk.migrate = migrate }
        return disk
    }

    /// Port labels become `NOMAD_PORT_<label>` variables, so two that differ only in case
    /// would clash: Nomad compares them ignoring case, and so does Roost.
    mutating func registerPortLabels(_ uses: [PortLabelUse], in seen: inout PortLabelSet) {
        for use in uses {
            registerPortLabel(use, in: &seen)
        }
    }

    /// False (after reporting) when the label collides with one already seen.
    @discardableResult
    mutating func registerPortLabel(_ use: PortLabelUse, in seen: inout PortLabelSet) -> Bool {
        if let first = seen.use(clashingWith: use.label) {
            error(
                "port label collision: \"\(use.label)\" is already used by port \"\(first.label)\" at line \(line(of: first.span))",
                at: use.span,
                hint: first.label == use.label
                    ? "give each port its own label"
                    : "port labels are compared ignoring case (they become NOMAD_PORT_<label>); rename one")
            return false
        }
        seen.insert(use)
        return true
    }
}
