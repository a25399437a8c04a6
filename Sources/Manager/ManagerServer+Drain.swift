import ClusterModel
import StateStore

/// `roost node drain` and `roost node eligibility`: operator decisions about a node, kept in
/// the replicated state so that they survive a leader change and a worker restart.
extension ManagerServer {
    /// Starts draining the node: it gets no new work, and its allocations move elsewhere as
    /// their groups' `migrate` blocks allow, all of them once `deadline` (from now) has passed.
    public func startDrain(_ nodeID: NodeID, deadline: Duration?, ignoreSystemJobs: Bool) async throws(ManagerError) -> UInt64 {
        let now = clock()
        let snapshot = await state.snapshot
        guard snapshot.node(id: nodeID) != nil else { throw .notFound("node \(nodeID) is not registered") }
        if let deadline, deadline < .zero { throw .invalid("the drain deadline must not be negative (got \(deadline))") }
        let strategy = DrainStrategy(deadline: deadline.map { now + $0 }, ignoreSystemJobs: ignoreSystemJobs, startedAt: now)
        let evaluations = snapshot.evaluationsForNodeChange(nodeID, now: now, random: &random).map { evaluation in
            var evaluation = evaluation
            evaluation.triggeredBy = .nodeDrain
            return evaluation
        }
        return try await submit(.updateNodeDrain(nodeID, strategy: strategy, markEligible: false, evaluations: evaluations, time: now)).index
    }

    /// Stops a drain: what has moved stays moved. The node stays ineligible unless
    /// `markEligible`.
    public func stopDrain(_ nodeID: NodeID, markEligible: Bool) async throws(ManagerError) -> UInt64 {
        let now = clock()
        guard await state.snapshot.node(id: nodeID) != nil else { throw .notFound("node \(nodeID) is not registered") }
        return try await submit(.updateNodeDrain(nodeID, strategy: nil, markEligible: markEligible, evaluations: [], time: now)).index
    }

    /// Whether the scheduler may place new work on the node. A draining node cannot be made
    /// eligible: the drain would keep moving work off it while new work arrives.
    public func setEligibility(_ nodeID: NodeID, eligible: Bool) async throws(ManagerError) -> UInt64 {
        let now = clock()
        let snapshot = await state.snapshot
        guard let node = snapshot.node(id: nodeID) else { throw .notFound("node \(nodeID) is not registered") }
        if eligible && node.drain {
            throw .invalid("node \(node.name) is draining: stop the drain first (roost node drain -disable \(nodeID.short))")
        }
        let evaluations = eligible ? snapshot.evaluationsForNodeChange(nodeID, now: now, random: &random) : []
        return try await submit(
            .updateNodeEligibility(nodeID, eligibility: eligible ? .eligible : .ineligible, drain: node.drain,
                                   evaluations: evaluations, time: now)).index
    }

    /// One pass of the leader's drain watch (see `DrainWatch`). The evaluations ride on a
    /// drain update that keeps the node's strategy, so that the broker sees them as it sees
    /// every evaluation a command carries.
    func advanceDrains() async {
        guard leads else { return }
        let now = clock()
        let snapshot = await state.snapshot
        var evaluationsByNode: [NodeID: [Evaluation]] = [:]
        for step in drainWatch.steps(in: snapshot, now: now) {
            switch step {
            case .complete(let nodeID):
                _ = try? await submit(.updateNodeDrain(nodeID, strategy: nil, markEligible: false, evaluations: [], time: now))
            case .evaluate(let namespace, let jobID, let nodeID):
                guard let record = snapshot.job(namespace: namespace, id: jobID) else { continue }
                evaluationsByNode[nodeID, default: []].append(Evaluation(
                    id: .random(using: &random), namespace: namespace, priority: record.spec.priority, jobType: record.spec.type,
                    triggeredBy: .nodeDrain, jobID: jobID, jobModifyIndex: record.jobModifyIndex, nodeID: nodeID,
                    createTime: now, modifyTime: now))
            }
        }
        for (nodeID, evaluations) in evaluationsByNode.sorted(by: { $0.key.uuid < $1.key.uuid }) {
            guard let strategy = snapshot.node(id: nodeID)?.drainStrategy else { continue }
            _ = try? await submit(.updateNodeDrain(nodeID, strategy: strategy, markEligible: false, evaluations: evaluations, time: now))
        }
    }
}
