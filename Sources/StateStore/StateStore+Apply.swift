import ClusterModel

extension StateStore {
    /// Limits on what one command may carry, so a bad or hostile writer cannot make the state
    /// machine do unbounded work in one step.
    public static let maximumItemsPerCommand = 100_000

    /// Applies one committed command at `index`, which must be greater than every index
    /// applied before. Every object the command creates or changes records `index`, and each
    /// table it changes remembers it (`index(of:)`).
    @discardableResult
    public mutating func apply(_ command: StateCommand, index: UInt64) -> Result<ApplyOutcome, StateError> {
        guard index > latestIndex else { return .failure(.staleIndex(given: index, latest: latestIndex)) }
        var change = Change(index: index)
        do {
            // Every refusal is decided before the first write, so a refused command leaves the
            // tables as they were without keeping a copy of the store (which would make every
            // write copy every table).
            try perform(command, &change)
        } catch {
            latestIndex = index
            return .failure(error)
        }
        refreshStatuses(of: change.touchedJobs, &change)
        latestIndex = index
        for table in change.tables { tableIndexes[table] = index }
        return .success(ApplyOutcome(index: index, changedTables: change.tables, rejectedNodes: change.rejectedNodes))
    }

    /// What the command being applied touched.
    struct Change {
        var index: UInt64
        var tables: Set<StateTable> = []
        var touchedJobs: Set<JobKey> = []
        var rejectedNodes: [NodeID: String] = [:]
    }

    private mutating func perform(_ command: StateCommand, _ change: inout Change) throws(StateError) {
        switch command {
        case .registerJob(let spec, let evaluation, let submitTime):
            try registerJob(spec, evaluation: evaluation, submitTime: submitTime, &change)
        case .deregisterJob(let namespace, let jobID, let purge, let evaluation, let time, let ifModifyIndex):
            try deregisterJob(
                JobKey(namespace: namespace, id: jobID), purge: purge, evaluation: evaluation, time: time, ifModifyIndex: ifModifyIndex, &change)
        case .upsertNode(let node, let evaluations, let time):
            try checkCount(evaluations.count)
            upsertNode(node, time: time, &change)
            upsertEvaluations(evaluations, time: time, &change)
        case .updateNodeStatus(let id, let status, let description, let evaluations, let time):
            try updateNode(id, evaluations: evaluations, time: time, &change) { node in
                node.status = status
                node.statusDescription = description
            }
        case .updateNodeEligibility(let id, let eligibility, let drain, let evaluations, let time):
            try updateNode(id, evaluations: evaluations, time: time, &change) { node in
                node.eligibility = eligibility
                node.drain = drain
                if !drain { node.drainStrategy = nil }
            }
        case .updateNodeDrain(let id, let strategy, let markEligible, let evaluations, let time):
            try updateNode(id, evaluations: evaluations, time: time, &change) { node in
                node.drain = strategy != nil
                node.drainStrategy = strategy
                if strategy != nil {
                    node.eligibility = .ineligible
                } else if markEligible {
                    node.eligibility = .eligible
                }
            }
        case .deregisterNode(let id, let evaluations, let time):
            try checkCount(evaluations.count)
            guard nodesByID.removeValue(forKey: id) != nil else { throw .nodeNotFound(id) }
            change.tables.insert(.nodes)
            upsertEvaluations(evaluations, time: time, &change)
        case .upsertEvaluations(let evaluations, let time):
            try checkCount(evaluations.count)
            upsertEvaluations(evaluations, time: time, &change)
        case .applyPlan(let plan, let time):
            try applyPlan(restoringJobs(of: plan), time: time, &change)
        case .submitPlan(let plan, let time):
            let verdict = validate(restoringJobs(of: plan))
            try applyPlan(verdict.accepted, time: time, &change)
            change.rejectedNodes = verdict.rejectedNodes
        case .updateAllocations(let updates, let evaluations, let time):
            try checkCount(updates.count &+ evaluations.count)
            updateAllocations(updates, time: time, &change)
            upsertEvaluations(evaluations, time: time, &change)
        case .garbageCollect(let evaluations, let allocations):
            try checkCount(evaluations.count &+ allocations.count)
            garbageCollect(evaluations: evaluations, allocations: allocations, &change)
        case .upsertACLToken(let token):
            try upsertACLToken(token, &change)
        case .deleteACLToken(let accessor):
            try deleteACLToken(accessor, &change)
        case .bootstrapACL(let token):
            try bootstrapACL(token, &change)
        case .updateDeployment(let update):
            try checkCount(update.evaluations.count)
            try updateDeployment(update, &change)
        case .setSchedulerConfiguration(var configuration):
            configuration.createIndex = storedSchedulerConfiguration?.createIndex ?? change.index
            configuration.modifyIndex = change.index
            storedSchedulerConfiguration = configuration
        }
    }

    func checkCount(_ count: Int) throws(StateError) {
        guard count <= Self.maximumItemsPerCommand else {
            throw .invalid("a command may carry at most \(Self.maximumItemsPerCommand) items, this one has \(count)")
        }
    }

    // MARK: Jobs

    mutating func registerJob(
        _ spec: JobSpec, evaluation: Evaluation?, submitTime: Timestamp, _ change: inout Change
    ) throws(StateError) {
        guard !spec.id.isEmpty else { throw .invalid("a job needs an ID") }
        guard !spec.namespace.isEmpty else { throw .invalid("job \"\(spec.id)\" needs a namespace") }
        let key = JobKey(spec)
        if let evaluation, JobKey(evaluation) != key { throw .invalid("the evaluation is for another job") }
        let existing = jobsByKey[key]
        var record: JobRecord
        if let existing, existing.spec == spec, !existing.stopped {
            record = existing
        } else {
            let version = existing.map { $0.version &+ 1 } ?? 0
            record = JobRecord(
                spec: spec, version: version, stopped: false, submitTime: submitTime,
                createIndex: existing?.createIndex ?? change.index, modifyIndex: change.index,
                jobModifyIndex: change.index)
            jobsByKey[key] = record
            var versions = versionsByKey[key] ?? []
            versions.insert(record, at: 0)
            if versions.count > Self.maximumJobVersions { versions.removeLast(versions.count - Self.maximumJobVersions) }
            versionsByKey[key] = versions
            change.tables.insert(.jobs)
            change.touchedJobs.insert(key)
        }
        if var evaluation {
            evaluation.jobModifyIndex = record.jobModifyIndex
            upsertEvaluations([evaluation], time: submitTime, &change)
        }
    }

    private mutating func deregisterJob(
        _ key: JobKey, purge: Bool, evaluation: Evaluation?, time: Timestamp, ifModifyIndex: UInt64?, _ change: inout Change
    ) throws(StateError) {
        guard var record = jobsByKey[key] else { throw .jobNotFound(namespace: key.namespace, id: key.id) }
        if let ifModifyIndex, record.modifyIndex != ifModifyIndex {
            throw .invalid(
                "job \"\(key.id)\" in namespace \"\(key.namespace)\" changed at index \(record.modifyIndex) after index \(ifModifyIndex), which this command expected; left as it is")
        }
        if let evaluation, JobKey(evaluation) != key { throw .invalid("the evaluation is for another job") }
        if purge {
            jobsByKey[key] = nil
            versionsByKey[key] = nil
            removeDeployments(of: key, &change)
            queuedByKey[key] = nil
            change.tables.insert(.jobs)
        } else if !record.stopped {
            record.stopped = true
            record.modifyIndex = change.index
            record.jobModifyIndex = change.index
            jobsByKey[key] = record
            change.tables.insert(.jobs)
            change.touchedJobs.insert(key)
        }
        if var evaluation {
            evaluation.jobModifyIndex = record.jobModifyIndex
            upsertEvaluations([evaluation], time: time, &change)
        }
    }

    /// Recomputes the status of the jobs a command touched; a changed status is a change of
    /// the job (its modify index moves), so blocking queries on the job list wake up.
    private mutating func refreshStatuses(of keys: Set<JobKey>, _ change: inout Change) {
        for key in keys {
            guard var record = jobsByKey[key] else { continue }
            let status = computedStatus(
                of: key, stopped: record.stopped, launchesChildren: record.spec.periodic != nil || record.spec.parameterized != nil)
            guard status != record.status else { continue }
            record.status = status
            record.modifyIndex = change.index
            jobsByKey[key] = record
            if let newest = versionsByKey[key]?.first, newest.version == record.version {
                versionsByKey[key]?[0].status = status
            }
            change.tables.insert(.jobs)
        }
    }

    // MARK: Nodes

    private mutating func upsertNode(_ node: Node, time: Timestamp, _ change: inout Change) {
        var node = node
        if let existing = nodesByID[node.id] {
            // What operators decided about a node survives its worker registering again.
            node.eligibility = existing.eligibility
            node.drain = existing.drain
            node.drainStrategy = existing.drainStrategy
        }
        node.createIndex = nodesByID[node.id]?.createIndex ?? change.index
        node.modifyIndex = change.index
        if node.statusUpdatedAt == .zero { node.statusUpdatedAt = time }
        nodesByID[node.id] = node
        change.tables.insert(.nodes)
    }

    /// What every operator or liveness change of a node does: change it, stamp the time, and
    /// record the evaluations the change calls for.
    private mutating func updateNode(
        _ id: NodeID, evaluations: [Evaluation], time: Timestamp, _ change: inout Change, _ body: (inout Node) -> Void
    ) throws(StateError) {
        try checkCount(evaluations.count)
        guard var node = nodesByID[id] else { throw .nodeNotFound(id) }
        body(&node)
        node.statusUpdatedAt = time
        node.modifyIndex = change.index
        nodesByID[id] = node
        change.tables.insert(.nodes)
        upsertEvaluations(evaluations, time: time, &change)
    }

    // MARK: Evaluations

    mutating func upsertEvaluations(_ evaluations: [Evaluation], time: Timestamp, _ change: inout Change) {
        guard !evaluations.isEmpty else { return }
        for var evaluation in evaluations {
            let old = evaluationsByID[evaluation.id]
            evaluation.createIndex = old?.createIndex ?? change.index
            evaluation.createTime = old?.createTime ?? (evaluation.createTime == .zero ? time : evaluation.createTime)
            evaluation.modifyIndex = change.index
            evaluation.modifyTime = time
            replaceEvaluation(old, with: evaluation)
            change.touchedJobs.insert(JobKey(evaluation))
            if evaluation.status == .blocked { cancelOtherBlockedEvaluations(than: evaluation, time: time, &change) }
        }
        change.tables.insert(.evaluations)
    }

    /// One blocked evaluation per job is enough to retry it when capacity appears; an older
    /// one is superseded by the newest.
    private mutating func cancelOtherBlockedEvaluations(than evaluation: Evaluation, time: Timestamp, _ change: inout Change) {
        for id in evaluationsByJob[JobKey(evaluation)] ?? [] where id != evaluation.id {
            guard var other = evaluationsByID[id], other.status == .blocked else { continue }
            let old = other
            other.status = .canceled
            other.statusDescription = "superseded by blocked evaluation \(evaluation.id.short)"
            other.modifyIndex = change.index
            other.modifyTime = time
            replaceEvaluation(old, with: other)
        }
    }

    // MARK: Plans

    private mutating func applyPlan(_ plan: Plan, time: Timestamp, _ change: inout Change) throws(StateError) {
        let stopCount = plan.stops.values.reduce(0) { $0 &+ $1.count }
        let placementCount = plan.placements.values.reduce(0) { $0 &+ $1.count }
        try checkCount(stopCount &+ placementCount &+ plan.followupEvaluations.count &+ plan.deployments.count)
        upsertDeployments(from: plan, time: time, &change)
        for nodeID in plan.stops.keys.sorted() {
            for stop in plan.stops[nodeID] ?? [] {
                guard let old = allocationsByID[stop.id] else { continue }
                var new = old
                new.desiredStatus = stop.desiredStatus == .run ? .stop : stop.desiredStatus
                new.desiredDescription = stop.desiredDescription
                if stop.clientStatus == .lost, !old.clientStatus.isTerminal { new.clientStatus = .lost }
                new.modifyIndex = change.index
                new.modifyTime = time
                replaceAllocation(old, with: new)
                change.touchedJobs.insert(JobKey(new))
                change.tables.insert(.allocations)
            }
        }
        for nodeID in plan.placements.keys.sorted() {
            for placement in plan.placements[nodeID] ?? [] {
                let old = allocationsByID[placement.id]
                var new: Allocation
                if let old {
                    // An in-place update: the scheduler owns the job version and the follow-up
                    // evaluation; the worker owns the client fields, which may be newer here.
                    new = old
                    // A stub whose version is no longer stored leaves the allocation as it was.
                    guard !placement.job.groups.isEmpty else { continue }
                    new.job = placement.job
                    new.jobVersion = placement.jobVersion
                    if placement.followupEvaluationID != nil { new.followupEvaluationID = placement.followupEvaluationID }
                } else if placement.createIndex != 0 || placement.job.groups.isEmpty {
                    // An update of an allocation collected since the plan was made, or a
                    // placement for a job version no longer stored (see `compactingJobs`).
                    continue
                } else {
                    new = placement
                    new.createIndex = change.index
                    new.createTime = time
                }
                new.modifyIndex = change.index
                new.modifyTime = time
                replaceAllocation(old, with: new)
                if old == nil { countPlacement(of: new, &change) }
                if old == nil, let previousID = new.previousAllocation, var previous = allocationsByID[previousID] {
                    let before = previous
                    previous.nextAllocation = new.id
                    previous.modifyIndex = change.index
                    previous.modifyTime = time
                    replaceAllocation(before, with: previous)
                }
                change.touchedJobs.insert(JobKey(new))
                change.tables.insert(.allocations)
            }
        }
        upsertEvaluations([plan.evaluation] + plan.followupEvaluations, time: time, &change)
        let key = JobKey(plan.evaluation)
        if jobsByKey[key] != nil { queuedByKey[key] = plan.evaluation.queuedAllocations }
    }

    // MARK: Allocations from workers

    private mutating func updateAllocations(_ updates: [ClientAllocationUpdate], time: Timestamp, _ change: inout Change) {
        for update in updates {
            guard let old = allocationsByID[update.id] else { continue }
            // A worker that comes back after its allocation was marked lost cannot revive it:
            // the scheduler has already replaced it.
            if old.clientStatus.isTerminal && !update.clientStatus.isTerminal { continue }
            let healthOnly = update.healthOnly == true
            // A verdict for an allocation that stopped meanwhile judges nothing.
            if healthOnly && old.clientStatus.isTerminal { continue }
            var new = old
            if !healthOnly {
                new.clientStatus = update.clientStatus
                new.clientDescription = String(update.clientDescription.prefix(1024))
                let taskNames = Set(old.group?.tasks.map(\.name) ?? [])
                var states: [String: TaskState] = [:]
                for (name, var state) in update.taskStates where taskNames.contains(name) {
                    if state.events.count > TaskState.maximumEvents {
                        state.events.removeFirst(state.events.count - TaskState.maximumEvents)
                    }
                    states[name] = state
                }
                new.taskStates = states
            }
            if var health = update.deploymentStatus {
                // The canary mark is the scheduler's to set, never a worker's.
                health.canary = old.deploymentStatus?.canary ?? false
                health.description = String(health.description.prefix(1024))
                new.deploymentStatus = health
                countHealth(of: new, before: old, time: time, &change)
            }
            new.modifyIndex = change.index
            new.modifyTime = time
            replaceAllocation(old, with: new)
            change.touchedJobs.insert(JobKey(new))
            change.tables.insert(.allocations)
        }
    }

    // MARK: Garbage collection

    private mutating func garbageCollect(
        evaluations: [EvaluationID], allocations: [AllocationID], _ change: inout Change
    ) {
        for id in evaluations {
            guard let old = evaluationsByID[id], old.status.isTerminal else { continue }
            replaceEvaluation(old, with: nil)
            change.touchedJobs.insert(JobKey(old))
            change.tables.insert(.evaluations)
        }
        for id in allocations {
            guard let old = allocationsByID[id], isCollectable(old) else { continue }
            replaceAllocation(old, with: nil)
            change.touchedJobs.insert(JobKey(old))
            change.tables.insert(.allocations)
        }
    }

    /// Nothing runs or will run for the allocation: its worker said so, or its node is gone.
    func isCollectable(_ allocation: Allocation) -> Bool {
        allocation.clientStatus.isTerminal || (allocation.desiredStatus != .run && nodesByID[allocation.nodeID] == nil)
    }
}
