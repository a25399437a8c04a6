import Foundation

/// `roost operator raft transfer-leadership [-peer-id ID]`: hands leadership over before
/// maintenance of the leader's machine, instead of waiting out an election after it stops.
enum OperatorRaftTransferLeadershipCommand: Command {
    static let name = "transfer-leadership"
    static let abstract = "Make another manager the leader (the most up-to-date one unless -peer-id is given)."
    static let usage = "[-peer-id ID] [--address URL]"
    static var options: [OptionDescription] {
        [OptionDescription("peer-id", kind: .value(placeholder: "ID"), displayPrefix: "-", help: "The Raft ID of the manager that should lead."), AgentClient.addressOption]
    }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.isEmpty else { throw .usage("\"\(context.commandPath)\" takes no arguments; give the target with -peer-id") }
        let client = try AgentClient.connect(arguments, in: context)
        let query = arguments.values(of: "peer-id").last.map { "?id=\(AgentClient.escape($0))" } ?? ""
        let response = try await client.send(.put, "/v1/operator/raft/transfer-leadership" + query)
        let leader = (try? JSONDecoder().decode([String: String].self, from: Data(response.body)))?["Leader"] ?? "?"
        context.writeLine("Leadership transferred to \(leader)")
        return .success
    }
}
