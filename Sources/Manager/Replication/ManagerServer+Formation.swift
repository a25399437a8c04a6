import Raft
import RaftRuntime

extension ManagerServer {
    /// Before Raft starts: who this manager is.
    public func prepareFormation(identity: ServerEntry) {
        self.identity = identity
        formation.known[identity.id] = identity
    }

    /// What gossip says about the managers (their addresses, before and besides the replicated
    /// server list): newer entries replace older ones.
    public func learnServers(_ entries: [ServerEntry]) {
        for entry in entries { formation.known[entry.id] = entry }
    }

    public var knownServers: [ServerEntry] { formation.known.values.sorted { $0.id < $1.id } }


    /// The leader adds a manager that asked to join a running cluster: first its addresses, then
    /// as a learner (it receives the log but does not vote), and promotes it to voter once it
    /// has caught up, so a slow newcomer never weakens the quorum.
    public func admitServer(_ entry: ServerEntry) async throws(ManagerError) {
        guard let shell = await raft else { throw .invalid("this agent runs alone (dev mode): there is no Raft cluster") }
        _ = try await replicate(.upsertServer(entry))
        let configuration = await shell.configuration
        if configuration.voters.contains(entry.id) { return }
        if !configuration.learners.contains(entry.id) {
            try await proposeChange(.addLearner(entry.id), on: shell)
        }
        let started = ContinuousClock.now
        while ContinuousClock.now - started < .seconds(120) {
            let progress = await shell.replicationProgress[entry.id]
            let commit = await shell.commitIndex
            if let progress, progress.match + 16 >= commit {
                try await proposeChange(.promoteLearner(entry.id), on: shell)
                return
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        throw .unavailable("\(entry.name) joined as a non-voter but did not catch up within 2 minutes; it stays a non-voter")
    }

    private func proposeChange(_ change: ConfigurationChange, on shell: RaftShell) async throws(ManagerError) {
        let started = ContinuousClock.now
        while true {
            do {
                try await shell.proposeConfigurationChange(change)
                return
            } catch RaftShellError.refused(.configurationChangePending) where ContinuousClock.now - started < settings.leaderWait {
                try? await Task.sleep(for: .milliseconds(50))
            } catch {
                throw .unavailable("the membership change failed: \(error)")
            }
        }
    }
}

/// The managers this one has heard of through gossip, by Raft ID.
struct FormationState: Sendable {
    var known: [RaftNodeID: ServerEntry] = [:]
}
