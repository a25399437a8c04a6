import ClusterModel

extension SchedulingRun {
    /// Service and batch groups: keep `count` slots (indexes 0..<count) filled. A slot is
    /// filled by a live allocation, by a failed one that may not (or may not yet) be
    /// rescheduled, and, for batch, by a completed one: finished work is never redone.
    mutating func reconcile(
        _ group: GroupSpec, of record: JobRecord, allocations: [Allocation], random: inout some RandomNumberGenerator
    ) -> [PlacementRequest] {
        let count = max(0, group.count)
        let isBatch = record.spec.type == .batch
        var filled = Set<Int>()
        var live: [Allocation] = []
        var replacements: [PlacementRequest] = []
        var delayed: [(Allocation, Timestamp)] = []
        var currentByVersion: [UInt64: Bool] = [:]
        func isCurrent(_ allocation: Allocation) -> Bool {
            if allocation.jobVersion == record.version { return true }
            if let known = currentByVersion[allocation.jobVersion] { return known }
            let current = !Self.needsReplacement(allocation, for: record.spec, group: group)
            currentByVersion[allocation.jobVersion] = current
            return current
        }

        for allocation in allocations where allocation.desiredStatus == .run && allocation.nextAllocation == nil {
            switch allocation.clientStatus {
            case .pending, .running:
                if isOnLostNode(allocation) {
                    stop(allocation, because: "alloc is lost since its node is down", lost: true)
                    replacements.append(PlacementRequest(index: allocation.index, previous: allocation.id))
                } else {
                    live.append(allocation)
                }
            case .lost:
                stop(allocation, because: "alloc is lost since its node is down")
                replacements.append(PlacementRequest(index: allocation.index, previous: allocation.id))
            case .complete:
                // Old versions' finished work does not hold a slot of the new version.
                guard isCurrent(allocation) else { continue }
                if isBatch {
                    filled.insert(allocation.index)
                } else {
                    replacements.append(PlacementRequest(index: allocation.index, previous: allocation.id))
                }
            case .failed:
                guard isCurrent(allocation), allocation.index < count else { continue }
                switch rescheduleDecision(for: allocation, policy: group.reschedule) {
                case .never:
                    filled.insert(allocation.index)
                case .now(let event):
                    var tracker = allocation.rescheduleTracker
                    tracker.events.append(event)
                    if tracker.events.count > settings.maximumRescheduleEvents {
                        tracker.events.removeFirst(tracker.events.count - settings.maximumRescheduleEvents)
                    }
                    replacements.append(
                        PlacementRequest(index: allocation.index, previous: allocation.id, tracker: tracker))
                case .later(let due):
                    filled.insert(allocation.index)
                    if allocation.followupEvaluationID == nil { delayed.append((allocation, due)) }
                }
            }
        }

        var requests: [PlacementRequest] = []
        // A group that rolls (a service group's `update` block) replaces old versions a few at a
        // time, after canaries when it has them; see SchedulingRun+Deployment.
        let rolling = isBatch ? nil : group.update.flatMap { $0.maxParallel > 0 ? $0 : nil }
        let canaries = rolling == nil ? [] : setAsideCanaries(of: group, from: &live, record: record)
        var destructive: [Allocation] = []
        // Where a promoted canary and the allocation it replaces share a slot, the canary (the
        // current version) keeps it.
        live.sort {
            ($0.index, $0.jobVersion == record.version ? 0 : 1, $0.createIndex, $0.id)
                < ($1.index, $1.jobVersion == record.version ? 0 : 1, $1.createIndex, $1.id)
        }
        let migrating = allocationsToMigrate(group, live: live, all: allocations, isBatch: isBatch)
        for allocation in live {
            guard allocation.index < count, !filled.contains(allocation.index) else {
                let promotedCanary = allocation.index < count && allocation.jobVersion != record.version
                stop(allocation, because: promotedCanary ? "alloc was replaced by a promoted canary" : "alloc not needed since the group's count is \(count)")
                continue
            }
            filled.insert(allocation.index)
            if migrating.contains(allocation.id) {
                stop(allocation, because: "alloc is migrating since its node is draining", desired: .evict)
                requests.append(PlacementRequest(index: allocation.index, previous: allocation.id))
                continue
            }
            guard allocation.jobVersion != record.version else { continue }
            if isCurrent(allocation) {
                var updated = allocation
                updated.job = record.spec
                updated.jobVersion = record.version
                update(updated)
            } else if rolling != nil {
                destructive.append(allocation)
            } else {
                stop(allocation, because: "alloc is being updated due to job update")
                requests.append(PlacementRequest(index: allocation.index, previous: allocation.id))
            }
        }
        for request in replacements.sorted(by: { $0.index < $1.index })
        where request.index < count && !filled.contains(request.index) {
            filled.insert(request.index)
            requests.append(request)
        }
        if let rolling {
            let fresh = live.isEmpty && canaries.isEmpty && filled.count < count
            requests += roll(
                group, strategy: rolling, of: record, destructive: destructive, canaries: canaries, fresh: fresh,
                random: &random)
        }
        // Bounded by the per-evaluation budget, so a huge count cannot make a huge plan (or a
        // huge loop); what is left is queued for a follow-up evaluation.
        let budget = max(0, settings.maximumPlacementsPerEvaluation - requestedPlacements - requests.count)
        var index = 0
        var added = 0
        while index < count && added < budget {
            if !filled.contains(index) {
                requests.append(PlacementRequest(index: index))
                added += 1
            }
            index += 1
        }
        if index < count {
            let missing = count - index - filled.reduce(0) { $0 + ($1 >= index && $1 < count ? 1 : 0) }
            unplaced[group.name, default: 0] += missing
            deferred += missing
        }
        requestedPlacements += requests.count
        scheduleDelayed(delayed, of: record, random: &random)
        return requests
    }

    /// Whether a live allocation must be replaced (stopped and placed anew) to run the new
    /// version: anything about its group but the count changed, or a job-level rule that
    /// decides placement. In-place updates of running tasks come later.
    static func needsReplacement(_ allocation: Allocation, for job: JobSpec, group: GroupSpec) -> Bool {
        guard var old = allocation.group else { return true }
        old.count = group.count
        let previous = allocation.job
        return old != group || previous.constraints != job.constraints || previous.datacenters != job.datacenters
            || previous.nodePool != job.nodePool || previous.meta != job.meta || previous.affinities != job.affinities
            || previous.spreads != job.spreads
    }

    func isOnLostNode(_ allocation: Allocation) -> Bool {
        guard let position = positions[allocation.nodeID] else { return true }
        let status = nodes[position].status
        return status == .down || status == .disconnected
    }

    enum RescheduleDecision {
        case never
        case now(RescheduleEvent)
        case later(Timestamp)
    }

    /// Nomad's rule: a failed allocation may be replaced while fewer than `attempts`
    /// reschedules happened within `interval` (or always, when unlimited), once the policy's
    /// delay since it failed has passed.
    func rescheduleDecision(for allocation: Allocation, policy: ReschedulePolicy?) -> RescheduleDecision {
        guard let policy else { return .never }
        let earlier = allocation.rescheduleTracker.events
        if !policy.unlimited {
            guard policy.attempts > 0 else { return .never }
            let windowStart = now + (.zero - policy.interval)
            let recent = earlier.reduce(0) { $0 + ($1.time >= windowStart ? 1 : 0) }
            guard recent < policy.attempts else { return .never }
        }
        let delay = policy.delay(afterAttempts: earlier.count)
        let failedAt = allocation.taskStates.values.compactMap(\.finishedAt).max() ?? allocation.modifyTime
        let due = failedAt + delay
        if due <= now + settings.rescheduleWindow {
            return .now(RescheduleEvent(time: now, previousAllocation: allocation.id, delay: delay))
        }
        return .later(due)
    }

    /// One follow-up evaluation per instant at which failed allocations become due; each
    /// allocation records it so later evaluations do not create another.
    private mutating func scheduleDelayed(
        _ delayed: [(Allocation, Timestamp)], of record: JobRecord, random: inout some RandomNumberGenerator
    ) {
        var byInstant: [Timestamp: EvaluationID] = [:]
        for (allocation, due) in delayed.sorted(by: { ($0.1, $0.0.id) < ($1.1, $1.0.id) }) {
            let id: EvaluationID
            if let existing = byInstant[due] {
                id = existing
            } else {
                var followup = followup(for: record, trigger: .retryFailedAllocation, random: &random)
                followup.waitUntil = due
                followup.statusDescription = "created for delayed rescheduling"
                plan.followupEvaluations.append(followup)
                byInstant[due] = followup.id
                id = followup.id
            }
            var updated = allocation
            updated.followupEvaluationID = id
            update(updated)
        }
    }
}
