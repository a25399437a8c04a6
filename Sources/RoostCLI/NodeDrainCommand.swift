import Foundation
import Jobspec

/// `roost node drain -enable|-disable NODE`: moves a node's work elsewhere before maintenance,
/// at the pace each group's `migrate` block allows, or ends a drain.
enum NodeDrainCommand: Command {
    static let name = "drain"
    static let abstract = "Move a node's allocations elsewhere (-enable), or end a drain (-disable)."
    static let usage = "-enable|-disable [-deadline DURATION | -force | -no-deadline] [-ignore-system] [-keep-ineligible] NODE"
    static var options: [OptionDescription] {
        [
            OptionDescription("enable", displayPrefix: "-", help: "Start draining the node."),
            OptionDescription("disable", displayPrefix: "-", help: "End the drain; what moved stays moved."),
            OptionDescription("deadline", kind: .value(placeholder: "DURATION"), displayPrefix: "-",
                              help: "Move everything still there after this long (default 1h), e.g. 30m."),
            OptionDescription("force", displayPrefix: "-", help: "Move everything now, ignoring migrate.max_parallel."),
            OptionDescription("no-deadline", displayPrefix: "-", help: "Never force: move at the migrate pace until done."),
            OptionDescription("ignore-system", displayPrefix: "-", help: "Leave system jobs' allocations running."),
            OptionDescription("keep-ineligible", displayPrefix: "-", help: "With -disable: leave the node ineligible for new work."),
            AgentClient.addressOption,
        ]
    }

    static let defaultDeadline = Duration.seconds(3_600)

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let node = arguments.positionals.first else {
            throw .usage("\"\(context.commandPath)\" needs exactly one NODE (an ID or a unique prefix, see roost node status)")
        }
        let enable = arguments.flag("enable") == true
        let disable = arguments.flag("disable") == true
        guard enable != disable else { throw .usage("give exactly one of -enable and -disable") }
        var body: [String: Any]
        if enable {
            let deadlineChoices = [arguments.values(of: "deadline").last != nil, arguments.flag("force") == true,
                                   arguments.flag("no-deadline") == true].filter { $0 }.count
            guard deadlineChoices <= 1 else { throw .usage("give at most one of -deadline, -force and -no-deadline") }
            var nanoseconds = Int64(defaultDeadline.components.seconds) * 1_000_000_000
            if arguments.flag("force") == true { nanoseconds = -1 }
            if arguments.flag("no-deadline") == true { nanoseconds = 0 }
            if let text = arguments.values(of: "deadline").last {
                switch DurationParser.parse(text) {
                case .success(let duration) where duration > .zero:
                    let (seconds, attoseconds) = duration.components
                    nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000).overflow
                        ? Int64.max : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
                case .success:
                    throw .usage("-deadline must be more than 0 (use -force to move everything now)")
                case .failure(let failure):
                    throw .usage("-deadline \(text) is not a valid duration: \(failure.reason); \(DurationParser.acceptedForms)")
                }
            }
            body = ["DrainSpec": ["Deadline": nanoseconds, "IgnoreSystemJobs": arguments.flag("ignore-system") == true]]
        } else {
            body = ["DrainSpec": NSNull(), "MarkEligible": arguments.flag("keep-ineligible") != true]
        }
        let client = try AgentClient.connect(arguments, in: context)
        let bytes = (try? JSONSerialization.data(withJSONObject: body)).map { Array($0) } ?? []
        _ = try await client.send(.post, "/v1/node/\(AgentClient.escape(node))/drain", body: bytes)
        if enable {
            context.writeLine("Node \(node) is draining: its allocations move elsewhere; see roost node status \(node)")
        } else {
            context.writeLine("Drain of node \(node) ended" + (arguments.flag("keep-ineligible") == true ? "; it stays ineligible" : "; it is eligible for new work"))
        }
        return .success
    }
}
