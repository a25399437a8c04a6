import ClusterModel
import StateStore

/// What a garbage-collection pass removed, as `PUT /v1/system/gc` reports it.
public struct GarbageCollectionReport: Sendable, Hashable, Codable {
    public var purgedJobs: Int = 0
    public var evaluations: Int = 0
    public var allocations: Int = 0
}

extension ManagerServer {
    /// The most dead jobs one pass purges: each is its own Raft command, and a backlog (a
    /// periodic job launching every minute for weeks) is worked off over a few passes rather
    /// than in one burst of writes.
    static let deadJobsPerPass = 500

    /// The leader's pass every `garbageCollectionInterval`.
    func collectGarbage() async {
        guard leads else { return }
        _ = await collectGarbage(threshold: settings.jobGarbageThreshold)
    }

    /// `PUT /v1/system/gc` (`roost system gc`): a pass now, purging every dead job whatever
    /// its age. On a follower, the pass reads the state after a read barrier and its writes are
    /// forwarded to the leader like any other.
    public func forceGarbageCollection() async throws(ManagerError) -> GarbageCollectionReport {
        try await readBarrier()
        return await collectGarbage(threshold: .zero)
    }

    /// Purges jobs dead for `threshold`, then deletes what purged jobs left behind once it is
    /// terminal (their evaluations and allocations), so the state does not grow without bound;
    /// workers then forget the allocations' directories. The state is read under its lock
    /// (`reading`), never copied out: a copy held while plans apply would make each apply copy
    /// the allocation table.
    private func collectGarbage(threshold: Duration) async -> GarbageCollectionReport {
        var report = GarbageCollectionReport()
        let now = clock()
        let dead = reading { DeadJobCollection.candidates(in: $0, now: now, threshold: threshold) }
        for candidate in dead.prefix(Self.deadJobsPerPass) {
            let now = clock()
            let stillDead = reading { state -> UInt64? in
                guard let record = state.job(namespace: candidate.namespace, id: candidate.jobID),
                    DeadJobCollection.qualifies(record, in: state, now: now, threshold: threshold)
                else { return nil }
                return record.modifyIndex
            }
            guard let seenAt = stillDead else { continue }
            // Purged only if the job is still as it was read: registered again meanwhile, it stays.
            let purge = StateCommand.deregisterJob(
                namespace: candidate.namespace, jobID: candidate.jobID, purge: true, evaluation: nil, time: clock(), ifModifyIndex: seenAt)
            if (try? await submit(purge)) != nil { report.purgedJobs += 1 }
        }
        let (evaluations, allocations) = reading { $0.garbage() }
        guard !evaluations.isEmpty || !allocations.isEmpty else { return report }
        if (try? await submit(.garbageCollect(evaluations: evaluations, allocations: allocations))) != nil {
            report.evaluations = evaluations.count
            report.allocations = allocations.count
        }
        return report
    }
}
