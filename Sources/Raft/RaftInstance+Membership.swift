extension RaftInstance {
    /// Applies a configuration entry the moment it is appended (thesis §4.1): each server uses
    /// the latest configuration in its log, committed or not. Malformed or senseless changes
    /// change nothing, the same way on every node.
    mutating func applyConfigurationEntry(_ entry: LogEntry) {
        configurationIndex = entry.index
        guard let next = ConfigurationChange.configuration(applying: entry.data, to: configuration) else { return }
        setConfiguration(next)
    }

    /// Recomputes the configuration from the compaction point, after a conflict removed
    /// configuration entries.
    mutating func rebuildConfiguration() {
        var current = baseConfiguration
        var index = baseConfigurationIndex
        for entry in log.entries where entry.kind == .configurationChange {
            index = entry.index
            if let next = ConfigurationChange.configuration(applying: entry.data, to: current) { current = next }
        }
        configurationIndex = index
        setConfiguration(current)
    }

    /// The configuration in force at `index` (for the compaction point).
    func configuration(asOf index: UInt64) -> RaftConfiguration {
        var current = baseConfiguration
        for entry in log.entries where entry.kind == .configurationChange {
            if entry.index > index { break }
            if let next = ConfigurationChange.configuration(applying: entry.data, to: current) { current = next }
        }
        return current
    }

    mutating func setConfiguration(_ next: RaftConfiguration) {
        configuration = next
        guard role == .leader else { return }
        for member in next.members where member != id && progress[member] == nil {
            progress[member] = FollowerProgress(next: log.lastIndex + 1)
        }
        for node in progress.keys where !next.members.contains(node) {
            progress[node] = nil
        }
        if transferTarget != .none && !next.voters.contains(transferTarget) { transferTarget = .none }
        // Fewer voters can mean a lower quorum: entries may be committed now.
        if maybeCommit() { afterLeaderCommit() }
    }
}
