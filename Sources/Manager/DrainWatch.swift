import ClusterModel
import StateStore

/// Moves drains along, on the leader. The scheduler decides which allocations may move (see
/// `allocationsToMigrate`), but only when an evaluation runs; this watch asks for one whenever
/// a drain can progress (a replacement started running, or the deadline passed) and ends the
/// drain once nothing is left on the node. What it remembers is leader-local and cheap to lose:
/// a new leader asks once more for every job on a draining node, which is harmless.
struct DrainWatch: Sendable {
    enum Step: Sendable, Hashable {
        /// Nothing left to move: the drain is over (the node stays ineligible).
        case complete(NodeID)
        /// The job's allocations on the node may move further: evaluate it.
        case evaluate(namespace: String, jobID: String, node: NodeID)
    }

    struct JobOnNode: Hashable {
        var namespace: String
        var jobID: String
        var node: NodeID
    }

    /// What a drain's progress is judged by: which of the job's allocations ran (not how
    /// many: a worker that finishes an evicted allocation and starts its replacement in one
    /// report leaves the count unchanged), and whether the deadline had passed.
    struct Progress: Hashable {
        var running: Set<AllocationID>
        var forced: Bool
    }

    /// Per job on a draining node: its progress when it was last evaluated for the drain.
    private var lastProgress: [JobOnNode: Progress] = [:]

    mutating func steps(in state: StateStore, now: Timestamp) -> [Step] {
        var steps: [Step] = []
        var seen = Set<JobOnNode>()
        for node in state.allNodes() where node.drain {
            let ignoreSystemJobs = node.drainStrategy?.ignoreSystemJobs ?? false
            let remaining = state.allocations(onNode: node.id).filter { allocation in
                allocation.desiredStatus == .run && !allocation.clientStatus.isTerminal
                    && !(ignoreSystemJobs && (allocation.job.type == .system || allocation.job.type == .sysbatch))
            }
            guard !remaining.isEmpty else {
                steps.append(.complete(node.id))
                continue
            }
            let forced = node.drainStrategy?.isForced(at: now) ?? false
            let jobs = Set(remaining.map { JobOnNode(namespace: $0.namespace, jobID: $0.jobID, node: node.id) })
            for job in jobs.sorted(by: { ($0.namespace, $0.jobID) < ($1.namespace, $1.jobID) }) {
                seen.insert(job)
                let running = state.allocations(namespace: job.namespace, jobID: job.jobID).filter { $0.clientStatus == .running }
                let progress = Progress(running: Set(running.map(\.id)), forced: forced)
                guard lastProgress[job] != progress else { continue }
                lastProgress[job] = progress
                steps.append(.evaluate(namespace: job.namespace, jobID: job.jobID, node: node.id))
            }
        }
        lastProgress = lastProgress.filter { seen.contains($0.key) }
        return steps
    }
}
