import API

/// `roost acl token self`: which token the command line is using, and what it may do.
enum AclTokenSelfCommand: Command {
    static let name = "self"
    static let abstract = "Show the token that --token or ROOST_TOKEN gives (not its secret)."
    static let usage = "[--json] [--address URL] [--token SECRET]"
    static var options: [OptionDescription] { [AgentClient.jsonOption, AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.isEmpty else { throw .usage("\"\(context.commandPath)\" takes no arguments") }
        let client = try AgentClient.connect(arguments, in: context)
        if arguments.flag("json") == true {
            context.writeLine(try await client.getText("/v1/acl/token/self"))
            return .success
        }
        let (token, _) = try await client.get("/v1/acl/token/self", as: ACLTokenStub.self)
        var fields = Table("Field", "Value")
        fields.append(["Accessor ID", token.accessorID])
        fields.append(["Name", token.name])
        fields.append(["Policy", AclTokenListCommand.policyText(token)])
        context.console.writeOutput(JobStatusCommand.fieldLines(fields))
        return .success
    }
}
