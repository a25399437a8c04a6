import ClusterModel

extension SchedulingRun {
    /// System and sysbatch groups: one allocation on every schedulable node that passes the
    /// group's checks. Failed allocations are not retried on the same node (there is no other
    /// node to reschedule to); a completed sysbatch allocation is done.
    mutating func reconcileSystem(_ group: GroupSpec, of record: JobRecord, allocations: [Allocation]) -> [PlacementRequest] {
        let feasible = Set(feasibleNodes(for: group, of: record.spec).positions)
        var handled = Set<Int>()
        var requests: [PlacementRequest] = []
        var byNode: [NodeID: [Allocation]] = [:]
        for allocation in allocations where allocation.desiredStatus == .run && allocation.nextAllocation == nil {
            byNode[allocation.nodeID, default: []].append(allocation)
        }
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
                } else {
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
        return requests
    }
}
