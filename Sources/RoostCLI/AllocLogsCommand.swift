import Foundation
import HTTP

/// `roost alloc logs [-f] [-stderr] ALLOC [TASK]`: a task's output, optionally followed.
enum AllocLogsCommand: Command {
    static let name = "logs"
    static let abstract = "Print (and with -f follow) a task's stdout or stderr."
    static let usage = "ALLOC [TASK] [-f] [-stderr] [-tail] [--address URL]"
    static let discussion = """
        TASK may be left out when the allocation has one task. -f keeps printing new output
        until the allocation stops or you press Ctrl-C. -tail starts from the last 10 KiB.
        """
    static var options: [OptionDescription] {
        [
            OptionDescription("f", displayPrefix: "-", help: "Follow: keep printing new output."),
            OptionDescription("stderr", displayPrefix: "-", help: "Show standard error instead of standard output."),
            OptionDescription("tail", displayPrefix: "-", help: "Start from the end (the last 10 KiB)."),
            AgentClient.addressOption,
        ]
    }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard (1...2).contains(arguments.positionals.count) else {
            throw .usage("\"\(context.commandPath)\" takes ALLOC and optionally TASK")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let allocation = arguments.positionals[0]
        var query = ["type=\(arguments.flag("stderr") == true ? "stderr" : "stdout")"]
        if arguments.positionals.count == 2 { query.append("task=\(AgentClient.escape(arguments.positionals[1]))") }
        if arguments.flag("f") == true { query.append("follow=true") }
        if arguments.flag("tail") == true { query += ["origin=end", "offset=10240"] }
        // Logs live on the worker that runs the allocation: ask the managers where that is
        // (its node's HTTP address) and read from it, as Nomad's CLI does.
        let (located, _) = try await client.get("/v1/allocation/\(AgentClient.escape(allocation))", as: AllocationLocation.self)
        let (node, _) = try await client.get("/v1/node/\(AgentClient.escape(located.nodeID))", as: NodeLocation.self)
        var logs = client
        if !node.httpAddress.isEmpty {
            do {
                logs = AgentClient(http: try HTTPClient(address: node.httpAddress), token: client.token)
            } catch {
                throw .failure("node \(located.nodeID.prefix(8)) reports an unusable log address \"\(node.httpAddress)\": \(error)")
            }
        }
        let target = "/v1/client/fs/logs/\(AgentClient.escape(located.id))?" + query.joined(separator: "&")
        let body = try await logs.stream(target)
        do {
            for try await chunk in body {
                context.console.writeOutput(String(decoding: chunk, as: UTF8.self))
            }
        } catch {
            throw .failure("the log stream broke off: \(error)")
        }
        return .success
    }
}

/// The two fields of an allocation the log command needs (`ID`, `NodeID` in the API).
struct AllocationLocation: Decodable {
    var id: String
    var nodeID: String
}

/// Where a node's worker serves its tasks' logs (`HTTPAddr` in the API).
struct NodeLocation: Decodable {
    var httpAddress: String
}
