import API

/// `roost operator gossip keyring`: rotate the key that seals gossip, without downtime.
enum OperatorGossipKeyringCommand: Command {
    static let name = "keyring"
    static let abstract = "List, install, use and remove gossip encryption keys."
    static let discussion = """
        To rotate: "install" the new key on every agent, then "use" it on every agent, then
        "remove" the old one. Agents open packets sealed with any installed key, so members keep
        talking throughout. Each command changes the agent at --address only.
        """
    static var subcommands: [any Command.Type] {
        [GossipKeyringListCommand.self, GossipKeyringInstallCommand.self, GossipKeyringUseCommand.self, GossipKeyringRemoveCommand.self]
    }

    /// PUTs `KEY` to `/v1/operator/keyring/<action>` and prints the keyring after the change.
    static func change(_ action: String, _ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let key = arguments.positionals.first else {
            throw .usage("\"\(context.commandPath)\" takes exactly one KEY (base64 of 32 bytes)")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let body: [UInt8]
        do {
            body = try APIJSON.encode(GossipKeyRequest(key: key))
        } catch {
            throw .failure("cannot encode the request: \(error)")
        }
        _ = try await client.send(.put, "/v1/operator/keyring/\(action)", body: body)
        context.writeLine("==> \(action == "use" ? "Primary key changed" : action == "install" ? "Key installed" : "Key removed")")
        return try await GossipKeyringListCommand.printKeys(client, in: context)
    }
}
