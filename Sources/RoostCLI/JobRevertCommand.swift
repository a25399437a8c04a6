import API
import Foundation

/// `roost job revert JOB VERSION`: registers an earlier version again as the newest, which
/// rolls out like any new version.
enum JobRevertCommand: Command {
    static let name = "revert"
    static let abstract = "Go back to an earlier version of a job (it becomes the newest version)."
    static let usage = "JOB VERSION [--address URL]"
    static let discussion = "The versions a job keeps are listed by \"roost job history JOB\"."
    static var options: [OptionDescription] { [AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 2 else {
            throw .usage("\"\(context.commandPath)\" takes a JOB and the VERSION to go back to")
        }
        let jobID = arguments.positionals[0]
        guard let version = UInt64(arguments.positionals[1]) else {
            throw .usage("VERSION must be a whole number such as 2, not \"\(arguments.positionals[1])\" (see \"roost job history \(jobID)\")")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let body = Array("{\"JobID\":\(Self.quoted(jobID)),\"JobVersion\":\(version)}".utf8)
        let response = try await client.send(.post, "/v1/job/\(AgentClient.escape(jobID))/revert", body: body)
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        context.writeLine("==> Job \"\(jobID)\" reverted to the spec of version \(version)")
        if let evaluation = object?["EvalID"] as? String, !evaluation.isEmpty {
            context.writeLine("    Evaluation ID: \(evaluation)")
        }
        context.writeLine("    Follow the roll-out with \"roost job status \(jobID)\" and \"roost deployment list\"")
        return .success
    }

    static func quoted(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text])) ?? Data("[\"\"]".utf8)
        return String(decoding: data, as: UTF8.self).dropFirst().dropLast().description
    }
}
