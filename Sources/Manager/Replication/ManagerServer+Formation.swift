import Raft
import RaftRuntime

extension ManagerServer {
    /// Before Raft starts: who this manager is, and whether its data directory already holds a
    /// cluster (then it never bootstraps again).
    public func prepareFormation(identity: ServerEntry, hasClusterState: Bool) {
        self.identity = identity
        formation.known[identity.id] = identity
        formation.hasCluster = hasClusterState
    }

    /// Another forming manager introduced itself; answer with what this one knows.
    public func greet(_ greeting: ServerGreeting) -> ServerGreeting? {
        guard let identity else { return nil }
        learn(greeting)
        return ServerGreeting(
            sender: identity, known: formation.known.values.sorted { $0.id < $1.id },
            bootstrapVoters: formation.bootstrapVoters, hasCluster: formation.hasCluster)
    }

    /// Merges what a greeting taught (both directions of an exchange call this).
    public func learn(_ greeting: ServerGreeting) {
        for entry in greeting.known + [greeting.sender] where formation.known[entry.id] == nil {
            formation.known[entry.id] = entry
        }
    }

    /// The greeting this manager sends.
    public func greeting() -> ServerGreeting? {
        guard let identity else { return nil }
        return ServerGreeting(
            sender: identity, known: formation.known.values.sorted { $0.id < $1.id },
            bootstrapVoters: formation.bootstrapVoters, hasCluster: formation.hasCluster)
    }

    public var knownServers: [ServerEntry] { formation.known.values.sorted { $0.id < $1.id } }

    /// Records the founding voters this manager bootstraps with, so a slower peer that asks
    /// afterwards bootstraps with exactly the same set.
    public func recordBootstrap(voters: [RaftNodeID]) {
        formation.bootstrapVoters = voters
        formation.hasCluster = true
    }

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

/// What a forming manager has learned (see `ServerGreeting`).
struct FormationState: Sendable {
    var known: [RaftNodeID: ServerEntry] = [:]
    var bootstrapVoters: [RaftNodeID]?
    var hasCluster = false
}
