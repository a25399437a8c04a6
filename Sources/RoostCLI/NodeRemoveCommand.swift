import Foundation

/// `roost node rm [-force] NODE`: a machine leaves the cluster for good. Its certificates are
/// revoked (its agent, if it still runs, is refused from then on; to come back the machine
/// must join again with a token) and its allocations are replaced elsewhere.
enum NodeRemoveCommand: Command {
    static let name = "rm"
    static let abstract = "Remove a node for good: revoke its certificates and replace its allocations."
    static let usage = "[-force] NODE"
    static var options: [OptionDescription] {
        [
            OptionDescription("force", displayPrefix: "-", help: "Remove the node even though it is still reported ready."),
            AgentClient.addressOption,
        ]
    }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let node = arguments.positionals.first else {
            throw .usage("\"\(context.commandPath)\" needs exactly one NODE (an ID or a unique prefix, see roost node status)")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let query = arguments.flag("force") == true ? "?force=true" : ""
        let response = try await client.send(.delete, "/v1/node/\(AgentClient.escape(node))" + query)
        struct Answer: Decodable {
            var NodeName: String
            var RevokedSerials: [UInt64]
            var RotatedGossipKey: Bool?
        }
        if let answer = try? JSONDecoder().decode(Answer.self, from: Data(response.body)) {
            let serials = answer.RevokedSerials.map(String.init).joined(separator: ", ")
            context.writeLine("Node \(answer.NodeName) removed; certificate(s) revoked: \(serials.isEmpty ? "none" : serials). To come back it must join again with a token.")
            if answer.RotatedGossipKey == true {
                context.writeLine("The cluster's gossip key was replaced: every member moves to the new one within seconds and drops the old one 30 s later.")
            }
        } else {
            context.writeLine("Node \(node) removed")
        }
        return .success
    }
}
