/// `roost operator gossip keyring remove KEY`
enum GossipKeyringRemoveCommand: Command {
    static let name = "remove"
    static let abstract = "Remove a key that is not the primary."
    static let usage = "KEY [--address URL]"
    static var options: [OptionDescription] { [AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        try await OperatorGossipKeyringCommand.change("remove", arguments, in: context)
    }
}
