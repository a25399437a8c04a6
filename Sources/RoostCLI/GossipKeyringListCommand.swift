import API

/// `roost operator gossip keyring list`
enum GossipKeyringListCommand: Command {
    static let name = "list"
    static let abstract = "List the agent's gossip keys; the primary one seals what it sends."
    static let usage = "[--json] [--address URL]"
    static var options: [OptionDescription] { [AgentClient.jsonOption, AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.isEmpty else { throw .usage("\"\(context.commandPath)\" takes no arguments") }
        let client = try AgentClient.connect(arguments, in: context)
        if arguments.flag("json") == true {
            context.writeLine(try await client.getText("/v1/operator/keyring"))
            return .success
        }
        return try await printKeys(client, in: context)
    }

    static func printKeys(_ client: AgentClient, in context: CommandContext) async throws(CommandError) -> ExitCode {
        let (keyring, _) = try await client.get("/v1/operator/keyring", as: GossipKeyringResponse.self)
        if keyring.keys.isEmpty {
            context.writeLine("Gossip is not encrypted on this agent.")
            return .success
        }
        var table = Table("Key", "Primary")
        for key in keyring.keys { table.append([key, key == keyring.primaryKey ? "yes" : ""]) }
        context.console.writeOutput(table.rendered())
        return .success
    }
}
