import ClusterModel

extension SchedulingRun {
    /// System and sysbatch groups: one allocation on every schedulable node that passes the
    /// group's checks. Failed allocations are not retried on the same node (there is no other
    /// node to reschedule to); a completed sysbatch allocation is done.
    ///
    /// A new version that must replace running allocations goes node by node when the group has
    /// an `update` block: at most `max_parallel` replacements per evaluation, counting new-version
    /// copies that have not started yet, and a follow-up evaluation `stagger` later for the rest
    /// (system jobs have no deployment to pace them).
    mutating func reconcileSystem(
        _ group: GroupSpec, of record: JobRecord, allocations: [Allocation], random: inout some RandomNumberGenerator
    ) -> [PlacementRequest] {
        let feasible = Set(feasibleNodes(for: group, of: record.spec).positions)
        var handled = Set<Int>()
        var requests: [PlacementRequest] = []
        var byNode: [NodeID: [Allocation]] = [:]
        for allocation in allocations where allocation.desiredStatus == .run && allocation.nextAllocation == nil {
            byNode[allocation.nodeID, default: []].append(allocation)
        }
        // How many more destructive replacements this evaluation may make; nil: no limit.
        var replacementsLeft: Int? = nil
        if let update = group.update, update.maxParallel > 0 {
            let starting = allocations.filter {
                $0.desiredStatus == .run && $0.jobVersion == record.version && $0.clientStatus == .pending && $0.previousAllocation != nil
            }.count
            replacementsLeft = max(0, update.maxParallel - starting)
        }
        var deferredReplacements = false
        for nodeID in byNode.keys.sorted() {
            let onNode = (byNode[nodeID] ?? []).sorted { ($0.createIndex, $0.id) < ($1.createIndex, $1.id) }
            guard let position = positions[nodeID], !isOnLostNode(onNode[0]) else {
                for allocation in onNode where !allocation.clientStatus.isTerminal {
                    stop(allocation, because: "alloc is lost since its node is down", lost: true)
                }
                continue
            }
            let node = nodes[position]
            let unwanted: String?
            if node.drain, node.drainStrategy?.ignoreSystemJobs != true {
                unwanted = "alloc is migrating since its node is draining"
            } else if node.status == .ready && node.eligibility == .eligible && !feasible.contains(position) {
                unwanted = "alloc not needed since its node no longer meets the job's requirements"
            } else {
                unwanted = nil
            }
            if let unwanted {
                for allocation in onNode where !allocation.clientStatus.isTerminal { stop(allocation, because: unwanted) }
                continue
            }
            handled.insert(position)
            var kept = false
            for allocation in onNode where !allocation.clientStatus.isTerminal {
                if kept {
                    stop(allocation, because: "alloc not needed since the node already runs one")
                    continue
                }
                kept = true
                guard allocation.jobVersion != record.version else { continue }
                if !Self.needsReplacement(allocation, for: record.spec, group: group) {
                    var updated = allocation
                    updated.job = record.spec
                    updated.jobVersion = record.version
                    update(updated)
                } else if let left = replacementsLeft, left == 0 {
                    // Later, node by node: it keeps running the old version meanwhile.
                    deferredReplacements = true
                } else {
                    replacementsLeft = replacementsLeft.map { $0 - 1 }
                    stop(allocation, because: "alloc is being updated due to job update")
                    requests.append(PlacementRequest(index: 0, previous: allocation.id, node: position))
                }
            }
            guard !kept else { continue }
            // Only terminal allocations here: a finished sysbatch run or a failure stays as it
            // is; a system task that exited is started again.
            let current = onNode.filter { !Self.needsReplacement($0, for: record.spec, group: group) }
            if let finished = current.last(where: { $0.clientStatus == .complete }), record.spec.type == .system,
                feasible.contains(position), !current.contains(where: { $0.clientStatus == .failed })
            {
                requests.append(PlacementRequest(index: 0, previous: finished.id, node: position))
            } else if current.isEmpty, feasible.contains(position) {
                requests.append(PlacementRequest(index: 0, node: position))
            }
        }
        for position in candidates where feasible.contains(position) && !handled.contains(position) {
            requests.append(PlacementRequest(index: 0, node: position))
        }
        if deferredReplacements, let stagger = group.update?.stagger {
            var next = followup(for: record, trigger: .rollingUpdate, random: &random)
            next.waitUntil = now + max(stagger, .seconds(1))
            next.statusDescription = "created to continue the node-by-node update of group \"\(group.name)\""
            plan.followupEvaluations.append(next)
        }
        return requests
    }
}
