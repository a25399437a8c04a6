/// `roost operator gossip`: the gossip layer.
enum OperatorGossipCommand: Command {
    static let name = "gossip"
    static let abstract = "Manage the gossip layer."
    static var subcommands: [any Command.Type] { [OperatorGossipKeyringCommand.self] }
}
