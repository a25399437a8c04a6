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
        _ = await collectGarbage(threshold: settings.jobGarbageThreshold, on: await state.snapshot)
    }

    /// `PUT /v1/system/gc` (`roost system gc`): a pass now, purging every dead job whatever
    /// its age. On a follower, the pass reads the state after a read barrier and its writes are
    /// forwarded to the leader like any other.
    public func forceGarbageCollection() async throws(ManagerError) -> GarbageCollectionReport {
        await collectGarbage(threshold: .zero, on: try await snapshot(stale: false))
    }

    /// Purges jobs dead for `threshold`, then deletes what purged jobs left behind once it is
    /// terminal (their evaluations and allocations), so the state does not grow without bound;
    /// workers then forget the allocations' directories.
    private func collectGarbage(threshold: Duration, on snapshot: StateStore) async -> GarbageCollectionReport {
        var report = GarbageCollectionReport()
        let dead = DeadJobCollection.candidates(in: snapshot, now: clock(), threshold: threshold)
        for candidate in dead.prefix(Self.deadJobsPerPass) {
            let newest = await state.snapshot
            guard let record = newest.job(namespace: candidate.namespace, id: candidate.jobID),
                DeadJobCollection.qualifies(record, in: newest, now: clock(), threshold: threshold)
            else { continue }
            let purge = StateCommand.deregisterJob(namespace: candidate.namespace, jobID: candidate.jobID, purge: true, evaluation: nil, time: clock())
            if (try? await submit(purge)) != nil { report.purgedJobs += 1 }
        }
        let (evaluations, allocations) = await state.snapshot.garbage()
        guard !evaluations.isEmpty || !allocations.isEmpty else { return report }
        if (try? await submit(.garbageCollect(evaluations: evaluations, allocations: allocations))) != nil {
            report.evaluations = evaluations.count
            report.allocations = allocations.count
        }
        return report
    }
}
