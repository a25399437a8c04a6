import Raft

/// Raft's safety properties (§5.2–5.4 of the paper, figure 3), checked as the run goes. The
/// harness reports what it sees — roles after every event, every write to a disk, every
/// applied entry — and each report is checked at once against everything seen before, so a
/// violation is caught at the event that caused it rather than at the end of the run.
///
/// The checks are incremental on purpose: comparing whole logs pairwise after every event
/// would dominate the run time. Log matching is checked by induction instead: if every
/// (index, term) ever written anywhere always names the same entry *and the same term before
/// it*, then two logs sharing an (index, term) share the whole prefix.
struct SimulationInvariants {
    struct Violation: Error, CustomStringConvertible {
        var property: String
        var detail: String
        var description: String { "\(property) violated: \(detail)" }
    }

    private struct EntryKey: Hashable {
        var index: UInt64
        var term: UInt64
    }

    private struct Written {
        var kind: LogEntry.Kind
        var data: [UInt8]
        var previousTerm: UInt64?
        var node: RaftNodeID
    }

    /// The leader of each term that has had one.
    private(set) var leaders: [UInt64: RaftNodeID] = [:]
    private var written: [EntryKey: Written] = [:]
    private struct Committed {
        var entry: LogEntry
        var node: RaftNodeID
        /// A term at least that of the leader that committed it.
        var committedNoLaterThan: UInt64
    }

    /// Every entry some node applied, by index: the committed log as the cluster knows it.
    private var committed: [UInt64: Committed] = [:]
    private(set) var highestLeaderTerm: UInt64 = 0
    /// The store's state after each applied index, as first seen.
    private var stateAfter: [UInt64: (hash: Int, node: RaftNodeID)] = [:]
    private(set) var highestCommitted: UInt64 = 0

    /// Election safety: at most one leader per term. True the first time a term's leader is seen.
    @discardableResult
    mutating func observeLeader(_ node: RaftNodeID, term: UInt64) throws -> Bool {
        if let known = leaders[term] {
            guard known == node else {
                throw Violation(property: "election safety", detail: "term \(term) has two leaders, \(known) and \(node)")
            }
            return false
        }
        leaders[term] = node
        highestLeaderTerm = max(highestLeaderTerm, term)
        return true
    }

    /// The committed entry at `index`, if some node applied it.
    func committedEntry(at index: UInt64) -> LogEntry? { committed[index]?.entry }

    /// Log matching: called after `entries` were written to `node`'s disk, whose contents now
    /// are `contents` (so the term before the first entry can be read there).
    mutating func observeWrite(_ node: RaftNodeID, entries: [LogEntry], contents: SimulationDisk.Contents) throws {
        for entry in entries {
            let key = EntryKey(index: entry.index, term: entry.term)
            let previousTerm = entry.index == 0 ? 0 : contents.term(at: entry.index - 1)
            if let previous = previousTerm, previous > entry.term {
                throw Violation(property: "log matching", detail: "\(node) wrote index \(entry.index) term \(entry.term) after an entry of term \(previous)")
            }
            if let known = written[key] {
                guard known.kind == entry.kind, known.data == entry.data else {
                    throw Violation(property: "log matching", detail: "index \(entry.index) term \(entry.term) holds different entries on \(known.node) and \(node)")
                }
                if let a = known.previousTerm, let b = previousTerm, a != b {
                    throw Violation(property: "log matching", detail: "index \(entry.index) term \(entry.term) follows term \(a) on \(known.node) but term \(b) on \(node)")
                }
                if known.previousTerm == nil, let previousTerm {
                    written[key]?.previousTerm = previousTerm
                }
            } else {
                written[key] = Written(kind: entry.kind, data: entry.data, previousTerm: previousTerm, node: node)
            }
        }
    }

    /// State-machine safety: every node that applies index i applies the same entry. The first
    /// time an index is applied it is known committed; it was committed by a leader of a term
    /// no higher than the highest leader term seen so far, so every leader of a later term must
    /// hold it (leader completeness, checked as each new leader appears).
    mutating func observeApply(_ node: RaftNodeID, entry: LogEntry) throws {
        if let known = committed[entry.index] {
            guard known.entry == entry else {
                throw Violation(property: "state-machine safety",
                                detail: "index \(entry.index) applied as term \(known.entry.term) \(known.entry.kind) on \(known.node) but as term \(entry.term) \(entry.kind) on \(node)")
            }
            return
        }
        committed[entry.index] = Committed(entry: entry, node: node, committedNoLaterThan: max(highestLeaderTerm, entry.term))
        highestCommitted = max(highestCommitted, entry.index)
    }

    /// A state-machine snapshot taken or installed at `index` must equal the state every other
    /// node had after applying `index`.
    mutating func observeState(_ node: RaftNodeID, index: UInt64, hash: Int) throws {
        if let known = stateAfter[index] {
            guard known.hash == hash else {
                throw Violation(property: "state-machine safety", detail: "the store after index \(index) differs between \(known.node) and \(node)")
            }
            return
        }
        stateAfter[index] = (hash, node)
    }

    /// Leader completeness: a new leader's log holds every entry already known committed.
    func checkNewLeader(_ leader: SimulationLogView) throws {
        for (_, known) in committed where known.committedNoLaterThan < leader.term {
            try requireContains(leader, known.entry)
        }
    }

    private func requireContains(_ leader: SimulationLogView, _ entry: LogEntry) throws {
        if entry.index < leader.firstIndex { return }  // Compacted: covered by its snapshot.
        guard let held = leader.termAt(entry.index) else {
            throw Violation(property: "leader completeness", detail: "leader \(leader.node) of term \(leader.term) lacks committed index \(entry.index) (term \(entry.term))")
        }
        guard held == entry.term else {
            throw Violation(property: "leader completeness", detail: "leader \(leader.node) of term \(leader.term) has term \(held) at committed index \(entry.index), not \(entry.term)")
        }
    }
}
