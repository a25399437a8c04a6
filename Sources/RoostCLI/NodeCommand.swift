/// `roost node`: the machines that run work.
enum NodeCommand: Command {
    static let name = "node"
    static let abstract = "Inspect the cluster's nodes."
    static var subcommands: [any Command.Type] { [NodeStatusCommand.self] }
}
