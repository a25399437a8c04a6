/// `roost deployment promote DEPLOYMENT [-group NAME]...`: lets the roll-out go on past its
/// canaries.
enum DeploymentPromoteCommand: Command {
    static let name = "promote"
    static let abstract = "Promote a deployment's healthy canaries so the rest of the groups roll."
    static let usage = "DEPLOYMENT [-group NAME]... [--address URL]"
    static let discussion = """
        Without -group, every group waiting for promotion is promoted. The agent refuses while a
        group's canaries are not all healthy.
        """
    static var options: [OptionDescription] {
        [OptionDescription("group", kind: .value(placeholder: "NAME"), displayPrefix: "-", help: "Promote only this group (repeatable)."),
         AgentClient.addressOption]
    }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        let groups = arguments.values(of: "group")
        let body: [String: Any] = groups.isEmpty ? ["All": true] : ["Groups": groups]
        return try await DeploymentCommand.act("promote", on: arguments, in: context, body: body, done: "promoted")
    }
}
