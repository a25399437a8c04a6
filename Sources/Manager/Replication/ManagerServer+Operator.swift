import ClusterModel
import Raft
import RaftRuntime
import StateStore

/// One manager in `operator raft list-peers`.
public struct RaftPeer: Sendable, Hashable, Codable {
    public var id: RaftNodeID
    public var name: String
    public var address: String
    public var isLeader: Bool
    public var isVoter: Bool
}

/// Where a leader-only operation must go when this manager does not lead.
public enum LeaderLocation: Sendable, Hashable {
    case here
    case elsewhere(httpAddress: String)
    case unknown
}

extension ManagerServer {
    /// Where the leader is, for operations only it can do (membership, leadership transfer).
    public func leaderLocation() async -> LeaderLocation {
        guard let shell = await raft else { return .here }
        let leader = await shell.leader
        if leader == shell.id { return .here }
        guard leader != .none, let entry = await serverEntry(leader) else { return .unknown }
        return .elsewhere(httpAddress: entry.httpAddress)
    }

    /// How to reach manager `id`: from the replicated server list, or, right after bootstrap
    /// before its announcement has committed, from what the managers told each other while
    /// forming the cluster.
    func serverEntry(_ id: RaftNodeID) async -> ServerEntry? {
        if let replicated = await state.servers.first(where: { $0.id == id }) { return replicated }
        return formation.known[id]
    }

    /// The Raft configuration with each member's name and address, after a read barrier (unless
    /// `stale`) so a follower does not show a configuration the leader has already changed.
    public func raftPeers(stale: Bool = false) async throws(ManagerError) -> (peers: [RaftPeer], index: UInt64) {
        guard let shell = await raft else { throw .invalid("this agent runs alone (dev mode): there is no Raft cluster") }
        if !stale { try await readBarrier() }
        let configuration = await shell.configuration
        let leader = await shell.leader
        var servers: [RaftNodeID: ServerEntry] = [:]
        for id in configuration.members { servers[id] = await serverEntry(id) }
        let peers = configuration.members.sorted().map { id in
            RaftPeer(
                id: id, name: servers[id]?.name ?? "(not announced)", address: servers[id]?.raftAddress ?? "(unknown)",
                isLeader: id == leader, isVoter: configuration.voters.contains(id))
        }
        return (peers, await shell.commitIndex)
    }

    /// Removes a manager from the Raft configuration (it stops counting towards the quorum),
    /// then from the server list. The leader may remove itself: it steps down once the change
    /// commits. Only on the leader (`leaderLocation`).
    public func removeRaftPeer(_ id: RaftNodeID) async throws(ManagerError) {
        guard let shell = await raft else { throw .invalid("this agent runs alone (dev mode): there is no Raft cluster") }
        let configuration = await shell.configuration
        guard configuration.members.contains(id) else {
            throw .notFound("no manager with Raft ID \(id); `roost operator raft list-peers` shows them")
        }
        guard configuration.voters != [id] else { throw .invalid("\(id) is the last voter: removing it would leave no cluster") }
        do {
            try await shell.proposeConfigurationChange(.removeMember(id))
        } catch let error as RaftShellError {
            switch error {
            case .notLeader: throw .unavailable("this manager no longer leads; retry")
            case .refused(.configurationChangePending): throw .unavailable("another membership change is in progress; retry in a moment")
            default: throw .unavailable(error.description)
            }
        } catch {
            throw .unavailable("\(error)")
        }
        _ = try? await replicate(.removeServer(id))
    }

    /// Hands leadership to `target` (or to the most up-to-date other voter). Only on the leader.
    public func transferLeadership(to target: RaftNodeID?) async throws(ManagerError) -> RaftNodeID {
        guard let shell = await raft else { throw .invalid("this agent runs alone (dev mode): there is no Raft cluster") }
        let configuration = await shell.configuration
        let progress = await shell.replicationProgress
        let chosen: RaftNodeID
        if let target {
            guard configuration.voters.contains(target), target != shell.id else {
                throw .invalid("\(target) is not another voting manager; `roost operator raft list-peers` shows them")
            }
            chosen = target
        } else {
            let candidates = configuration.voters.filter { $0 != shell.id }
            guard let best = candidates.max(by: { (progress[$0]?.match ?? 0, $1) < (progress[$1]?.match ?? 0, $0) }) else {
                throw .invalid("there is no other voting manager to hand leadership to")
            }
            chosen = best
        }
        await shell.transferLeadership(to: chosen)
        // The transfer completes once the target wins its election; wait for it so the command
        // reports the outcome, not just the request.
        let started = ContinuousClock.now
        while ContinuousClock.now - started < settings.leaderWait {
            let leader = await shell.leader
            if leader == chosen { return chosen }
            try? await Task.sleep(for: .milliseconds(20))
        }
        throw .unavailable("leadership did not move to \(chosen) within \(settings.leaderWait); \(await shell.leader) leads")
    }

    /// A consistent copy of the whole state, for `operator snapshot save`.
    public func stateSnapshot() async throws(ManagerError) -> StateSnapshot {
        try await readBarrier()
        return await state.snapshot.snapshot()
    }

    /// Replaces the whole cluster state on every manager by `saved` (through Raft), then
    /// restarts the broker's work from it. Jobs, nodes and allocations become what was saved.
    public func restoreState(_ saved: StateSnapshot) async throws(ManagerError) -> UInt64 {
        let (outcome, appliedAsLeader) = try await replicate(.restoreState(saved))
        if appliedAsLeader { await restartBrokerFromState() }
        return outcome.index
    }

    /// Raft's view of this manager, for `agent/self`.
    public func raftStatus() async -> [String: String] {
        guard let shell = await raft else { return [:] }
        let soft = await shell.softState
        return [
            "raft_state": soft.role.rawValue, "raft_term": String(soft.term), "raft_leader": String(describing: soft.leader),
            "raft_id": String(describing: shell.id), "raft_applied_index": String(await shell.appliedIndex),
            "raft_commit_index": String(await shell.commitIndex), "raft_last_log_index": String(await shell.lastIndex),
        ]
    }
}

extension ManagerServer {
    /// Hands a heartbeat to the leader (see `LeaderForwarding.heartbeat`).
    func forwardHeartbeat(_ nodeID: NodeID) async throws(ManagerError) {
        guard let shell = await raft, let forwarder else { throw .unavailable("no leader to tell") }
        let leader = await shell.leader
        guard leader != .none, let entry = await serverEntry(leader) else {
            throw .unavailable("No cluster leader: a majority of the managers must be up")
        }
        do {
            try await forwarder.heartbeat(nodeID, to: entry)
        } catch {
            throw .unavailable("the heartbeat did not reach the leader: \(error)")
        }
    }

    /// A heartbeat a follower forwarded; refused when this manager does not lead (any more).
    public func heartbeatForwarded(_ nodeID: NodeID) async -> ForwardedAnswer {
        guard leads else { return .notLeader }
        do {
            _ = try await recordHeartbeat(nodeID)
            return .answered(.applied(ApplyOutcome(index: 0)))
        } catch {
            return .unavailable(error.description)
        }
    }
}
