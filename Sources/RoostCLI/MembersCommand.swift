import API

/// `roost members`: the gossip members as the agent sees them (like `nomad server members`
/// and `serf members`).
enum MembersCommand: Command {
    static let name = "members"
    static let abstract = "List the cluster's gossip members with status, address, role and incarnation."
    static let usage = "[--json] [--address URL]"
    static let discussion = """
        Every agent is a gossip member: alive, suspect (a probe failed and the others are
        checking), failed (declared dead) or left (it said goodbye). Members that failed or left
        stay listed until they are forgotten, 24 hours later.
        """
    static var options: [OptionDescription] { [AgentClient.jsonOption, AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.isEmpty else { throw .usage("\"\(context.commandPath)\" takes no arguments") }
        let client = try AgentClient.connect(arguments, in: context)
        if arguments.flag("json") == true {
            context.writeLine(try await client.getText("/v1/agent/members"))
            return .success
        }
        let (response, _) = try await client.get("/v1/agent/members", as: AgentMembersResponse.self)
        var table = Table("Name", "Address", "Port", "Status", "Role", "DC", "Incarnation")
        for member in response.members.sorted(by: { $0.name < $1.name }) {
            table.append([
                member.name, member.addr, String(member.port), StatusColor.paint(member.status, in: context),
                member.tags["role"] ?? "", member.tags["dc"] ?? "", String(member.incarnation),
            ])
        }
        context.console.writeOutput(table.rendered())
        return .success
    }
}
