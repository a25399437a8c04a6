/// `roost operator raft remove-peer -peer-id ID`: takes a manager out of the Raft group (a
/// machine that is gone for good), so the quorum is counted without it.
enum OperatorRaftRemovePeerCommand: Command {
    static let name = "remove-peer"
    static let abstract = "Remove a manager from the Raft configuration."
    static let usage = "-peer-id ID [--address URL]"
    static let discussion = """
        Use it for a manager that will not come back: while it is listed it still counts towards
        the quorum. The IDs are those of `roost operator raft list-peers`. A removed manager that
        starts again with its old data directory is not a member; give it an empty data
        directory to join the cluster anew.
        """
    static var options: [OptionDescription] {
        [OptionDescription("peer-id", kind: .value(placeholder: "ID"), displayPrefix: "-", help: "The Raft ID of the manager to remove."), AgentClient.addressOption]
    }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.isEmpty else { throw .usage("\"\(context.commandPath)\" takes no arguments; give the ID with -peer-id") }
        guard let id = arguments.values(of: "peer-id").last, !id.isEmpty else {
            throw .usage("-peer-id is required", hint: "`roost operator raft list-peers` shows each manager's ID")
        }
        let client = try AgentClient.connect(arguments, in: context)
        _ = try await client.send(.delete, "/v1/operator/raft/peer?id=\(AgentClient.escape(id))")
        context.writeLine("Removed peer \(id) from the Raft configuration")
        return .success
    }
}
