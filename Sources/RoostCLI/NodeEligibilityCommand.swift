import Foundation

/// `roost node eligibility -enable|-disable NODE`: whether the scheduler may place new work on
/// the node. Work already there keeps running (to move it, drain the node).
enum NodeEligibilityCommand: Command {
    static let name = "eligibility"
    static let abstract = "Allow (-enable) or forbid (-disable) new work on a node; running work stays."
    static let usage = "-enable|-disable NODE"
    static var options: [OptionDescription] {
        [
            OptionDescription("enable", displayPrefix: "-", help: "The scheduler may place work on the node."),
            OptionDescription("disable", displayPrefix: "-", help: "No new work on the node."),
            AgentClient.addressOption,
        ]
    }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let node = arguments.positionals.first else {
            throw .usage("\"\(context.commandPath)\" needs exactly one NODE (an ID or a unique prefix, see roost node status)")
        }
        let enable = arguments.flag("enable") == true
        guard enable != (arguments.flag("disable") == true) else { throw .usage("give exactly one of -enable and -disable") }
        let client = try AgentClient.connect(arguments, in: context)
        let body = Array(#"{"Eligibility":"\#(enable ? "eligible" : "ineligible")"}"#.utf8)
        _ = try await client.send(.post, "/v1/node/\(AgentClient.escape(node))/eligibility", body: body)
        context.writeLine("Node \(node) is \(enable ? "eligible" : "ineligible") for new work")
        return .success
    }
}
