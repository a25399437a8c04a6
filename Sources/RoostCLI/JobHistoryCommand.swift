import API
import ClusterModel
import Foundation

/// `roost job history JOB`: the kept versions of a job, which ones were deployed
/// successfully (stable), and when each was submitted: what `job revert` picks from.
enum JobHistoryCommand: Command {
    static let name = "history"
    static let abstract = "List a job's kept versions, with which are stable and when each was submitted."
    static let usage = "JOB [--json] [--address URL]"
    static let discussion = "A version is stable once a deployment of it succeeded; auto_revert goes back to the newest stable one."
    static var options: [OptionDescription] { [AgentClient.jsonOption, AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let jobID = arguments.positionals.first else {
            throw .usage("\"\(context.commandPath)\" takes exactly one JOB")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let text = try await client.getText("/v1/job/\(AgentClient.escape(jobID))/versions")
        if arguments.flag("json") == true {
            context.writeLine(text)
            return .success
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
              let versions = object["Versions"] as? [[String: Any]]
        else {
            throw .failure("the agent's answer to GET /v1/job/\(jobID)/versions could not be read")
        }
        var table = Table("Version", "Stable", "Submitted")
        let now = Timestamp.current
        for version in versions {
            let number = (version["Version"] as? NSNumber)?.stringValue ?? "?"
            let stable = (version["Stable"] as? Bool) == true ? "true" : "false"
            let submitted = (version["SubmitTime"] as? NSNumber).map {
                RelativeTime.describe(nanoseconds: (now - Timestamp(nanosecondsSinceEpoch: $0.int64Value)).totalNanoseconds)
            } ?? "?"
            table.append([number, stable, submitted])
        }
        context.console.writeOutput(table.rendered())
        return .success
    }
}
