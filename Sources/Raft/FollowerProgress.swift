/// The leader's working state for one follower: the public `ReplicationProgress` plus the
/// flow-control window and the snapshot transfer position.
struct FollowerProgress: Sendable {
    var match: UInt64 = 0
    var next: UInt64
    var state: ReplicationProgress.State = .probe
    /// In probe state, one AppendEntries is out; no more until a response or a heartbeat reply.
    var probeSent = false
    /// Last index of each AppendEntries in flight, oldest first (replicate state).
    var inflight: [UInt64] = []
    var recentlyActive = false
    /// Snapshot transfer: which snapshot, how many bytes the follower confirmed, and ticks since
    /// the last chunk went out (a lost chunk is resent after a while).
    var snapshotIndex: UInt64 = 0
    var snapshotAcknowledged: UInt64 = 0
    var snapshotTicksSinceSend = 0

    init(next: UInt64) {
        self.next = next
    }

    /// Back to one message at a time. After a snapshot the follower holds at least what it
    /// covered; otherwise the caller sets `next` from the rejection's hint.
    mutating func becomeProbe() {
        let wasSnapshot = state == .snapshot
        state = .probe
        probeSent = false
        inflight.removeAll()
        next = wasSnapshot ? max(match + 1, snapshotIndex + 1) : match + 1
    }

    mutating func becomeReplicate() {
        state = .replicate
        probeSent = false
        inflight.removeAll()
        next = match + 1
    }

    mutating func becomeSnapshot(index: UInt64) {
        state = .snapshot
        probeSent = false
        inflight.removeAll()
        snapshotIndex = index
        snapshotAcknowledged = 0
        snapshotTicksSinceSend = 0
    }

    /// Frees window slots for AppendEntries that ended at or before `index`.
    mutating func acknowledgeInflight(through index: UInt64) {
        inflight.removeAll { $0 <= index }
    }

    func isPaused(maxInflight: Int) -> Bool {
        switch state {
        case .probe: probeSent
        case .replicate: inflight.count >= maxInflight
        case .snapshot: true
        }
    }
}
