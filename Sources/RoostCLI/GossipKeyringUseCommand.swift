/// `roost operator gossip keyring use KEY`
enum GossipKeyringUseCommand: Command {
    static let name = "use"
    static let abstract = "Make an installed key the primary: the agent seals what it sends with it."
    static let usage = "KEY [--address URL]"
    static var options: [OptionDescription] { [AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        try await OperatorGossipKeyringCommand.change("use", arguments, in: context)
    }
}
