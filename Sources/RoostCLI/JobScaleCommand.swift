import API
import Foundation

/// `roost job scale JOB [GROUP] COUNT`: changes one group's count; the scheduler places or
/// stops only the difference. Follows the evaluation as `job run` does unless `-detach`.
enum JobScaleCommand: Command {
    static let name = "scale"
    static let abstract = "Change the count of one of a job's groups."
    static let usage = "JOB [GROUP] COUNT [-detach] [--address URL]"
    static let discussion = """
        GROUP may be left out when the job has one group. The change is a new version of the
        job (see "roost job status"): new allocations are placed for a larger count, the
        highest-numbered ones are stopped for a smaller one, and running ones are left alone.
        """
    static var options: [OptionDescription] {
        [OptionDescription("detach", displayPrefix: "-", help: "Return once the change is registered."), AgentClient.addressOption]
    }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        let positionals = arguments.positionals
        guard positionals.count == 2 || positionals.count == 3 else {
            throw .usage("\"\(context.commandPath)\" takes JOB [GROUP] COUNT, got \(positionals.count) argument(s)")
        }
        let jobID = positionals[0]
        let group = positionals.count == 3 ? positionals[1] : nil
        let countText = positionals[positionals.count - 1]
        guard let count = Int(countText), count >= 0 else {
            throw .usage("COUNT must be a whole number ≥ 0, got \"\(countText)\"")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let body: [UInt8]
        do {
            body = try APIJSON.encode(JobScaleRequest(count: count, group: group))
        } catch {
            throw .failure("cannot encode the request: \(error)")
        }
        let response = try await client.send(.post, "/v1/job/\(AgentClient.escape(jobID))/scale", body: body)
        let answer: JobScaleResponse
        do {
            answer = try APIJSON.decode(JobScaleResponse.self, from: response.body)
        } catch {
            throw .failure("the agent's answer could not be read: \(error)")
        }
        for warning in answer.warnings.split(separator: ";") where !warning.isEmpty {
            context.writeErrorLine("warning: \(warning.trimmingCharacters(in: .whitespaces))")
        }
        guard !answer.evaluationID.isEmpty else { return .success }
        context.writeLine("==> Job \"\(jobID)\"\(group.map { " group \"\($0)\"" } ?? "") scaled to \(count)")
        context.writeLine("    Evaluation ID: \(answer.evaluationID)")
        if arguments.flag("detach") == true { return .success }
        let (detail, _) = try await client.get("/v1/job/\(AgentClient.escape(jobID))", as: JobDetail.self)
        let monitor = JobMonitor(client: client, context: context, jobID: jobID)
        let outcome = try await monitor.follow(evaluationID: answer.evaluationID, version: detail.version, deadline: .seconds(630))
        return try monitor.report(outcome)
    }
}
