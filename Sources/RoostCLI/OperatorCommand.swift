/// `roost operator`: cluster administration (the managers' Raft group, snapshots of the state).
enum OperatorCommand: Command {
    static let name = "operator"
    static let abstract = "Administer the cluster: Raft peers and leadership, snapshots of the state, the gossip keyring."
    static var subcommands: [any Command.Type] { [OperatorRaftCommand.self, OperatorSnapshotCommand.self, OperatorGossipCommand.self, OperatorSchedulerCommand.self] }
}

/// `roost operator raft`: the managers' Raft configuration.
enum OperatorRaftCommand: Command {
    static let name = "raft"
    static let abstract = "List, remove or re-lead the managers of the Raft group."
    static var subcommands: [any Command.Type] {
        [OperatorRaftListPeersCommand.self, OperatorRaftRemovePeerCommand.self, OperatorRaftTransferLeadershipCommand.self]
    }
}

/// `roost operator snapshot`: save or restore the whole cluster state.
enum OperatorSnapshotCommand: Command {
    static let name = "snapshot"
    static let abstract = "Save the cluster state to a file, or restore it from one."
    static var subcommands: [any Command.Type] { [OperatorSnapshotSaveCommand.self, OperatorSnapshotRestoreCommand.self] }
}
