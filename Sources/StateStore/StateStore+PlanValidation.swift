import ClusterModel
import Scheduler

extension StateStore {
    /// Re-checks a plan made on an older snapshot against this (newer) state, node by node,
    /// as the plan applier must before committing: every node receiving new allocations must
    /// still be schedulable, and its CPU, memory and ports must still hold them given what
    /// was placed there since and what the plan itself stops. A job with `all_at_once` is
    /// accepted whole or not at all.
    public func validate(_ plan: Plan) -> PlanVerdict {
        var accepted = plan
        var rejected: [NodeID: String] = [:]
        var filled = filledSlots(of: plan)
        for nodeID in plan.placements.keys.sorted() {
            let placements = plan.placements[nodeID] ?? []
            if let reason = rejection(of: placements, on: nodeID, stopping: plan.stops[nodeID] ?? [], filled: &filled) {
                rejected[nodeID] = reason
            }
        }
        let allAtOnce = job(namespace: plan.namespace, id: plan.jobID)?.spec.allAtOnce ?? false
        if allAtOnce && !rejected.isEmpty {
            for nodeID in plan.placements.keys where rejected[nodeID] == nil {
                rejected[nodeID] = "the job places all at once and another node was rejected"
            }
        }
        for nodeID in rejected.keys { accepted.placements[nodeID] = nil }
        if !rejected.isEmpty {
            // Committing the accepted part leaves the evaluation pending, so the broker runs
            // it again on the newer state instead of taking a half-applied plan as done.
            accepted.evaluation.status = .pending
            accepted.evaluation.statusDescription = "plan partly rejected: scheduled again on newer state"
        }
        return PlanVerdict(accepted: accepted, rejectedNodes: rejected)
    }

    /// The slots (`job.group[index]`, per node for system jobs) that live allocations the plan
    /// does not stop already fill. Two evaluations of one job scheduled on the same snapshot
    /// would otherwise both fill a missing slot; the eval broker should not let that happen,
    /// and this makes sure it cannot.
    private func filledSlots(of plan: Plan) -> Set<String> {
        var stopping = Set<AllocationID>()
        for stops in plan.stops.values { stopping.formUnion(stops.map(\.id)) }
        var filled = Set<String>()
        for id in allocationsByJob[JobKey(namespace: plan.namespace, id: plan.jobID)] ?? [] {
            guard let allocation = allocationsByID[id], !allocation.isTerminal, !stopping.contains(id) else { continue }
            filled.insert(Self.slot(of: allocation))
        }
        return filled
    }

    static func slot(of allocation: Allocation) -> String {
        let slot = switch allocation.job.type {
        case .system, .sysbatch: "\(allocation.name)@\(allocation.nodeID)"
        case .service, .batch: allocation.name
        }
        // A canary runs beside the allocation it is to replace, under the same name.
        return allocation.deploymentStatus?.canary == true ? slot + "#canary" : slot
    }

    private func rejection(
        of placements: [Allocation], on nodeID: NodeID, stopping stops: [Allocation], filled: inout Set<String>
    ) -> String? {
        let fresh = placements.filter { allocationsByID[$0.id] == nil }
        guard !fresh.isEmpty else { return nil }
        guard let node = nodesByID[nodeID] else { return "node no longer exists" }
        guard node.isSchedulable else {
            if node.status != .ready { return "node is \(node.status.rawValue)" }
            return node.drain ? "node is draining" : "node is ineligible"
        }
        var usage = usage(onNode: nodeID)
        for stop in stops {
            if let current = allocationsByID[stop.id] { usage.remove(current) }
        }
        if let stub = placements.first(where: \.job.groups.isEmpty) {
            return "job \(stub.jobID) version \(stub.jobVersion) is no longer stored; scheduled again on the current version"
        }
        for allocation in fresh {
            if let previousID = allocation.previousAllocation,
                let next = allocationsByID[previousID]?.nextAllocation
            {
                return "allocation \(previousID.short) was already replaced by \(next.short)"
            }
            if filled.contains(Self.slot(of: allocation)) {
                return "\(allocation.name) is already running"
            }
            let demand = ResourceDemand(allocation)
            if let dimension = usage.exhaustedDimension(adding: demand, capacity: node.resources) {
                return "\(dimension) exhausted"
            }
            usage.add(demand)
        }
        for allocation in fresh { filled.insert(Self.slot(of: allocation)) }
        return nil
    }
}
