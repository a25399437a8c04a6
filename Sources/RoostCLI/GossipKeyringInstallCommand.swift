/// `roost operator gossip keyring install KEY`
enum GossipKeyringInstallCommand: Command {
    static let name = "install"
    static let abstract = "Install a key: the agent opens packets sealed with it (it still seals with the primary)."
    static let usage = "KEY [--address URL]"
    static var options: [OptionDescription] { [AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        try await OperatorGossipKeyringCommand.change("install", arguments, in: context)
    }
}
