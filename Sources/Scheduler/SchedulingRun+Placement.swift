import ClusterModel

extension SchedulingRun {
    /// The candidate nodes that pass the group's static checks, with the metrics every
    /// placement of the group starts from (nodes evaluated and filtered, and why).
    mutating func feasibleNodes(for group: GroupSpec, of job: JobSpec) -> (positions: [Int], metrics: AllocationMetrics) {
        var metrics = AllocationMetrics()
        var feasible: [Int] = []
        for position in candidates {
            let node = nodes[position]
            metrics.nodesEvaluated += 1
            metrics.nodesAvailable[node.datacenter, default: 0] += 1
            if let reason = checker.rejection(of: node, job: job, group: group) {
                metrics.nodesFiltered += 1
                metrics.constraintFiltered[reason, default: 0] += 1
            } else {
                feasible.append(position)
            }
        }
        return (feasible, metrics)
    }

    /// Places the requests group by group, in order, on the best-ranked node that fits.
    mutating func place(
        _ requests: [(group: GroupSpec, requests: [PlacementRequest])], of record: JobRecord,
        random: inout some RandomNumberGenerator
    ) {
        for (group, groupRequests) in requests where !groupRequests.isEmpty {
            var placer = GroupPlacer(group: group, job: record.spec, ports: settings.dynamicPortRange)
            placer.groupCounts = groupCountOnNode[group.name] ?? Array(repeating: 0, count: nodes.count)
            let (feasible, metrics) = feasibleNodes(for: group, of: record.spec)
            placer.feasible = feasible
            placer.feasibleSet = Set(feasible)
            placer.baseMetrics = metrics
            placer.cursor = feasible.isEmpty ? 0 : Int.random(in: 0..<feasible.count, using: &random)
            placer.spread = SpreadScorer(
                group: group, job: record.spec, nodes: nodes, feasible: feasible, groupCounts: placer.groupCounts)
            placer.affinity = AffinityScorer(group: group, job: record.spec, nodes: nodes, feasible: feasible, checker: &checker)
            for request in groupRequests {
                guard placementsMade < settings.maximumPlacementsPerEvaluation else {
                    deferred += 1
                    unplaced[group.name, default: 0] += 1
                    continue
                }
                place(request, of: record, with: &placer, random: &random)
            }
        }
        // A system group with no feasible node places nothing, but users still want to see why.
        if record.spec.type == .system || record.spec.type == .sysbatch {
            for (group, groupRequests) in requests where groupRequests.isEmpty && failures[group.name] == nil {
                let (feasible, metrics) = feasibleNodes(for: group, of: record.spec)
                if feasible.isEmpty && metrics.nodesFiltered > 0 { failures[group.name] = metrics }
            }
        }
    }

    private mutating func place(
        _ request: PlacementRequest, of record: JobRecord, with placer: inout GroupPlacer,
        random: inout some RandomNumberGenerator
    ) {
        let group = placer.group
        // Placements of a group only consume capacity, so once one found no node the rest
        // cannot either: count them instead of ranking every node again.
        if placer.hasFailed, request.node == nil, var failure = failures[group.name] {
            failure.coalescedFailures += 1
            failures[group.name] = failure
            unplaced[group.name, default: 0] += 1
            return
        }
        var metrics = placer.baseMetrics
        let positionsToTry: [Int]
        if let pinned = request.node {
            positionsToTry = placer.feasibleSet.contains(pinned) ? [pinned] : []
            metrics = AllocationMetrics(nodesEvaluated: 1, nodesAvailable: [nodes[pinned].datacenter: 1])
        } else {
            positionsToTry = placer.feasible
        }
        var best: (position: Int, score: Double)?
        if !placer.distinctProperties.isEmpty { placer.refreshPropertyCounts(liveAllocations.values, nodes: nodes, positions: positions) }
        let fixedDemand = placer.fixedDemand
        let checksPlacementRules = placer.hasPlacementRules
        let needsDynamicPorts = !placer.dynamicPorts.isEmpty
        var exhaustedCPU = 0
        var exhaustedMemory = 0
        var exhaustedPorts = 0
        // Nodes are looked at from the group's cursor on, wrapping around, until
        // `candidateLimit` of them could take the allocation; the best of those wins (the
        // first seen on equal scores, and the cursor starts at a random node per group, so
        // ties still spread). The cursor then moves to the first node that had room, so
        // nodes found full are not looked at again by the group's next placements.
        let total = positionsToTry.count
        let start = request.node == nil ? placer.cursor : 0
        let limit = request.node == nil ? settings.candidateLimit : 1
        var ranked = 0
        var firstWithRoom: Int?
        var offset = 0
        // With a spread, ranking stops at the limit only once a node with the best spread
        // score any feasible node could have is among the candidates, so a limited look
        // never misses a target.
        let bestSpread = placer.spread?.bestPossible()
        var chosenSpread = -Double.infinity
        while offset < total {
            if ranked >= limit, bestSpread.map({ chosenSpread >= $0 - 1e-9 }) ?? true { break }
            var slot = start + offset
            if slot >= total { slot -= total }
            offset += 1
            let position = positionsToTry[slot]
            if checksPlacementRules,
                let reason = placer.placementRejection(
                    node: nodes[position], jobCount: jobCountOnNode[position], groupCount: placer.groupCounts[position])
            {
                metrics.nodesFiltered += 1
                metrics.constraintFiltered[reason, default: 0] += 1
                continue
            }
            let demand = fixedDemand ?? placer.demand(on: nodes[position])
            if let dimension = usages[position].exhaustedDimension(adding: demand, capacity: capacities[position])
                ?? (needsDynamicPorts ? placer.dynamicPortShortage(usages[position]) : nil)
            {
                // Counted locally: on a full cluster every placement meets many full nodes,
                // and a dictionary update per node would dominate the scan.
                switch dimension {
                case "cpu": exhaustedCPU += 1
                case "memory": exhaustedMemory += 1
                default: exhaustedPorts += 1
                }
                continue
            }
            if firstWithRoom == nil { firstWithRoom = slot }
            ranked += 1
            let spreadScore = placer.spread?.score(position: position) ?? 0
            let score = Self.score(
                cpuMHz: usages[position].cpuMHz.saturatingAdd(demand.cpuMHz),
                memoryMiB: usages[position].memoryMiB.saturatingAdd(demand.memoryMiB), capacity: capacities[position],
                collisions: placer.groupCounts[position], count: group.count,
                affinity: placer.affinity?.scores[position]) + 2 * spreadScore
            if let current = best, score <= current.score + 1e-9 { continue }
            best = (position, score)
            chosenSpread = spreadScore
        }
        if request.node == nil, let firstWithRoom { placer.cursor = firstWithRoom }
        for (dimension, count) in [("cpu", exhaustedCPU), ("memory", exhaustedMemory), ("ports", exhaustedPorts)] where count > 0 {
            metrics.nodesExhausted += count
            metrics.dimensionExhausted[dimension, default: 0] += count
        }
        // Nowhere with room: with preemption on, stopping lower-priority work may make some.
        var victims: [Allocation] = []
        if best == nil, mayPreempt,
            let target = preemptionTarget(among: positionsToTry, placer: placer, priority: record.spec.priority)
        {
            best = (target.position, -1)
            victims = target.victims
        }
        guard let chosen = best else {
            unplaced[group.name, default: 0] += 1
            if var failure = failures[group.name] {
                failure.coalescedFailures += 1
                failure.nodesEvaluated += request.node == nil ? 0 : 1
                for (dimension, count) in metrics.dimensionExhausted { failure.dimensionExhausted[dimension, default: 0] += count }
                for (reason, count) in metrics.constraintFiltered where request.node != nil {
                    failure.constraintFiltered[reason, default: 0] += count
                }
                failure.nodesExhausted += request.node == nil ? 0 : metrics.nodesExhausted
                failures[group.name] = failure
            } else {
                failures[group.name] = metrics
            }
            if request.node == nil { placer.hasFailed = true }
            return
        }
        metrics.chosenScore = chosen.score
        let node = nodes[chosen.position]
        let ports = placer.assignPorts(avoiding: usages[chosen.position], random: &random)
        var allocation = Allocation(
            id: .random(using: &random), evaluationID: evaluation.id, nodeID: node.id, nodeName: node.name,
            job: record.spec, jobVersion: record.version, groupName: group.name, index: request.index,
            taskResources: placer.taskResources(on: node), ports: ports, previousAllocation: request.previous,
            rescheduleTracker: request.tracker, metrics: metrics, createTime: now, modifyTime: now)
        allocation.clientStatus = .pending
        for victim in victims { preempt(victim, for: allocation, at: chosen.position) }
        usages[chosen.position].add(ResourceDemand(allocation))
        jobCountOnNode[chosen.position] += 1
        placer.groupCounts[chosen.position] += 1
        placer.spread?.placed(on: chosen.position)
        if tracksLiveAllocations { liveAllocations[allocation.id] = allocation }
        plan.placements[node.id, default: []].append(allocation)
        placementsMade += 1
    }

    /// Bin-packing: the fuller the node would be (CPU and memory alike), the better, so small
    /// nodes fill up and large ones stay free for large work. A node already running this
    /// group is penalised in proportion to how many of the group's allocations it would hold,
    /// which spreads replicas when the fit is close, and an `affinity` adds the node's affinity
    /// score; the parts that apply are averaged, so the result is in [-1, 1]. `cpuMHz` and
    /// `memoryMiB` are what the node would hold with the placement. (Spread is added on top by
    /// the caller, doubled, so it outweighs all of these: see `SpreadScorer`.)
    static func score(
        cpuMHz: Int, memoryMiB: Int, capacity: NodeResources, collisions: Int, count: Int, affinity: Double? = nil
    ) -> Double {
        func fraction(_ used: Int, _ total: Int) -> Double {
            total > 0 ? min(1, Double(used) / Double(total)) : 1
        }
        var sum = (fraction(cpuMHz, capacity.cpuMHz) + fraction(memoryMiB, capacity.memoryMiB)) / 2
        var parts = 1.0
        if collisions > 0 {
            sum -= min(1, Double(collisions + 1) / Double(max(1, count)))
            parts += 1
        }
        if let affinity {
            sum += affinity
            parts += 1
        }
        return sum / parts
    }
}
