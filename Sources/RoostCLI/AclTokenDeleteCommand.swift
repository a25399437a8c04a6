import API

/// `roost acl token delete ACCESSOR`: the token stops working at once.
enum AclTokenDeleteCommand: Command {
    static let name = "delete"
    static let abstract = "Delete an ACL token by its accessor ID; its secret stops working."
    static let usage = "ACCESSOR [--address URL] [--token SECRET]"
    static let discussion = """
        ACCESSOR is the token's accessor ID as `roost acl token list` shows it, or a unique
        prefix of it. The last management token cannot be deleted: create another first.
        """
    static var options: [OptionDescription] { [AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let accessor = arguments.positionals.first, !accessor.isEmpty else {
            throw .usage("\"\(context.commandPath)\" takes exactly one ACCESSOR", hint: "`roost acl token list` shows the accessor IDs")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let response = try await client.send(.delete, "/v1/acl/token/\(AgentClient.escape(accessor))")
        let name = (try? APIJSON.decode(ACLTokenStub.self, from: response.body)).map { " \"\($0.name)\" (\($0.accessorID))" } ?? " \(accessor)"
        context.writeLine("Deleted ACL token\(name)")
        return .success
    }
}
