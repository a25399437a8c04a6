import ClusterModel
import StateStore

/// Which dead jobs may be purged now. A separate, pure step over a state copy so the rule can
/// be tested without a clock or a running manager.
///
/// A job qualifies when it is dead (stopped, or all of its work finished), nothing of it will
/// run again (every evaluation and allocation is terminal, and each allocation's worker has
/// said so, or its node is gone), and nothing of it has changed for `threshold`. A periodic or
/// parameterized parent that was not stopped is never collected: it launches the children.
enum DeadJobCollection {
    struct Candidate: Hashable, Sendable {
        var namespace: String
        var jobID: String
    }

    static func candidates(in state: StateStore, now: Timestamp, threshold: Duration) -> [Candidate] {
        state.jobs()
            .filter { qualifies($0, in: state, now: now, threshold: threshold) }
            .map { Candidate(namespace: $0.spec.namespace, jobID: $0.id) }
            .sorted { ($0.namespace, $0.jobID) < ($1.namespace, $1.jobID) }
    }

    /// The rule for one job. Checked again on the newest state just before each purge is
    /// proposed, so a job registered again meanwhile is not purged.
    static func qualifies(_ record: JobRecord, in state: StateStore, now: Timestamp, threshold: Duration) -> Bool {
        guard record.status == .dead else { return false }
        if !record.stopped && (record.spec.periodic != nil || record.spec.parameterized != nil) { return false }
        let evaluations = state.evaluations(namespace: record.spec.namespace, jobID: record.id)
        guard evaluations.allSatisfy(\.status.isTerminal) else { return false }
        let allocations = state.allocations(namespace: record.spec.namespace, jobID: record.id)
        let settled = allocations.allSatisfy { allocation in
            allocation.clientStatus.isTerminal || (allocation.desiredStatus != .run && state.node(id: allocation.nodeID) == nil)
        }
        guard settled else { return false }
        let lastChange = ([record.submitTime] + evaluations.map(\.modifyTime) + allocations.map(\.modifyTime)).max() ?? record.submitTime
        return now - lastChange >= threshold
    }
}
