/// `roost node`: the machines that run work.
enum NodeCommand: Command {
    static let name = "node"
    static let abstract = "Inspect the cluster's nodes, drain them, set their eligibility, remove them."
    static var subcommands: [any Command.Type] { [NodeStatusCommand.self, NodeDrainCommand.self, NodeEligibilityCommand.self, NodeRemoveCommand.self] }
}
