import API
import Foundation

/// `roost job periodic force JOB`: launches a child of a periodic job now, whatever its
/// schedule and `prohibit_overlap` say (the schedule itself is not moved).
enum JobPeriodicForceCommand: Command {
    static let name = "force"
    static let abstract = "Launch a periodic job's child now, off its schedule."
    static let usage = "JOB [--address URL]"
    static let discussion = """
        The child is named JOB/periodic-<unix seconds>, as scheduled launches are. The command
        prints the evaluation that places it; follow it with "roost job status JOB".
        """
    static var options: [OptionDescription] { [AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let jobID = arguments.positionals.first else {
            throw .usage("\"\(context.commandPath)\" takes exactly one JOB (a periodic job's ID)")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let response = try await client.send(.post, "/v1/job/\(AgentClient.escape(jobID))/periodic/force")
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        let evaluation = object?["EvalID"] as? String ?? ""
        context.writeLine("==> Forced a launch of periodic job \"\(jobID)\"")
        if !evaluation.isEmpty { context.writeLine("    Evaluation ID: \(evaluation)") }
        context.writeLine("    Its children: roost job status \(jobID)")
        return .success
    }
}
