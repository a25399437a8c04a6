/// `roost operator`: cluster-level maintenance.
enum OperatorCommand: Command {
    static let name = "operator"
    static let abstract = "Operate the cluster (gossip keyring)."
    static var subcommands: [any Command.Type] { [OperatorGossipCommand.self] }
}
