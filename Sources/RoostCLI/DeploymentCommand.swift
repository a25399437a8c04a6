import API
import ClusterModel
import Foundation

/// `roost deployment`: follow and steer the roll-outs of service jobs' new versions.
enum DeploymentCommand: Command {
    static let name = "deployment"
    static let abstract = "List deployments, show one, promote its canaries, fail, pause or resume it."
    static var subcommands: [any Command.Type] {
        [DeploymentListCommand.self, DeploymentStatusCommand.self, DeploymentPromoteCommand.self, DeploymentFailCommand.self,
         DeploymentPauseCommand.self, DeploymentResumeCommand.self, DeploymentAllocationHealthCommand.self]
    }

    /// The deployment a user named by a full ID or a unique prefix, as the agent knows it.
    static func lookUp(_ prefix: String, with client: AgentClient) async throws(CommandError) -> Deployment {
        let (matches, _) = try await client.get("/v1/deployments?prefix=\(AgentClient.escape(prefix.lowercased()))", as: [Deployment].self)
        guard let first = matches.first else {
            throw .failure("no deployment with ID prefix \"\(prefix)\"", hint: "list them with \"roost deployment list\"")
        }
        guard matches.count == 1 else {
            throw .failure(
                "prefix \"\(prefix)\" matches \(matches.count) deployments: " + matches.prefix(10).map(\.id.short).joined(separator: ", "),
                hint: "type more of the ID")
        }
        return first
    }

    /// Sends a deployment action and prints what came of it.
    static func act(
        _ action: String, on arguments: ParsedArguments, in context: CommandContext, body: [String: Any] = [:], done: String
    ) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let prefix = arguments.positionals.first else {
            throw .usage("\"\(context.commandPath)\" takes exactly one DEPLOYMENT (an ID or a unique prefix of one)")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let deployment = try await lookUp(prefix, with: client)
        let bytes = (try? JSONSerialization.data(withJSONObject: body)).map(Array.init) ?? []
        let response = try await client.send(.post, "/v1/deployment/\(action)/\(deployment.id.uuid)", body: bytes)
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        context.writeLine("==> Deployment \"\(deployment.id.short)\" \(done)")
        if let evaluation = object?["EvalID"] as? String, !evaluation.isEmpty {
            context.writeLine("    Evaluation ID: \(evaluation)")
        }
        if let reverted = object?["RevertedJobVersion"] as? NSNumber {
            context.writeLine("    Job \"\(deployment.jobID)\" reverted: now at version \(reverted)")
        }
        return .success
    }

    /// The header and per-group table `deployment status` and `job run` print.
    static func describe(_ deployment: Deployment, in context: CommandContext, now: Timestamp) -> String {
        var fields = Table("Field", "Value")
        fields.append(["ID", deployment.id.uuid])
        fields.append(["Job ID", deployment.jobID])
        fields.append(["Job Version", String(deployment.jobVersion)])
        fields.append(["Status", StatusColor.paint(deployment.status.rawValue, in: context)])
        fields.append(["Description", deployment.statusDescription])
        let canaries = deployment.taskGroups.values.contains { $0.desiredCanaries > 0 }
        var groups = canaries
            ? Table("Task Group", "Promoted", "Desired", "Canaries", "Placed", "Healthy", "Unhealthy", "Progress Deadline")
            : Table("Task Group", "Desired", "Placed", "Healthy", "Unhealthy", "Progress Deadline")
        for name in deployment.taskGroups.keys.sorted() {
            guard let group = deployment.taskGroups[name] else { continue }
            let deadline: String
            if group.progressDeadline <= .zero || group.requireProgressBy == .zero {
                deadline = "none"
            } else if deployment.isActive {
                let left = (group.requireProgressBy - now).totalNanoseconds
                deadline = left > 0 ? "in " + RelativeTime.describe(duration: left) : "passed"
            } else {
                deadline = "-"
            }
            var row = [name]
            if canaries { row.append(group.desiredCanaries > 0 ? (group.promoted ? "true" : "false") : "n/a") }
            row.append(String(group.desiredTotal))
            if canaries { row.append(String(group.desiredCanaries)) }
            row += [String(group.placedAllocations), String(group.healthyAllocations), String(group.unhealthyAllocations), deadline]
            groups.append(row)
        }
        return JobStatusCommand.fieldLines(fields) + "\nDeployed\n" + groups.rendered()
    }
}
