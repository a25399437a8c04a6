import API
import Foundation

/// `roost operator raft list-peers`: every manager of the Raft group, who leads, who votes.
enum OperatorRaftListPeersCommand: Command {
    static let name = "list-peers"
    static let abstract = "List the managers in the Raft configuration."
    static let usage = "[-stale] [--json] [--address URL]"
    static var options: [OptionDescription] {
        [OptionDescription("stale", displayPrefix: "-", help: "Answer from this manager's copy even without a leader."), AgentClient.jsonOption, AgentClient.addressOption]
    }

    struct Configuration: Decodable {
        var servers: [Server]
        enum CodingKeys: String, CodingKey { case servers = "Servers" }
    }

    struct Server: Decodable {
        var id: String
        var node: String
        var address: String
        var leader: Bool
        var voter: Bool
        enum CodingKeys: String, CodingKey { case id = "ID", node = "Node", address = "Address", leader = "Leader", voter = "Voter" }
    }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.isEmpty else { throw .usage("\"\(context.commandPath)\" takes no arguments") }
        let client = try AgentClient.connect(arguments, in: context)
        let target = "/v1/operator/raft/configuration" + (arguments.flag("stale") == true ? "?stale" : "")
        let response = try await client.send(.get, target)
        if arguments.flag("json") == true {
            context.writeLine(String(decoding: response.body, as: UTF8.self))
            return .success
        }
        let configuration: Configuration
        do {
            configuration = try JSONDecoder().decode(Configuration.self, from: Data(response.body))
        } catch {
            throw .failure("the agent's Raft configuration could not be read: \(error)")
        }
        var table = Table("Node", "ID", "Address", "State", "Voter")
        for server in configuration.servers {
            table.append([server.node, server.id, server.address, server.leader ? "leader" : "follower", String(server.voter)])
        }
        context.console.writeOutput(table.rendered())
        return .success
    }
}
