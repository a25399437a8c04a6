import API
import ClusterModel

/// `roost deployment list`: every deployment, newest first.
enum DeploymentListCommand: Command {
    static let name = "list"
    static let abstract = "List deployments, newest first."
    static let usage = "[--json] [--address URL]"
    static var options: [OptionDescription] { [AgentClient.jsonOption, AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.isEmpty else { throw .usage("\"\(context.commandPath)\" takes no arguments") }
        let client = try AgentClient.connect(arguments, in: context)
        if arguments.flag("json") == true {
            context.writeLine(try await client.getText("/v1/deployments"))
            return .success
        }
        let (deployments, _) = try await client.get("/v1/deployments", as: [Deployment].self)
        guard !deployments.isEmpty else {
            context.writeLine("No deployments. A service job's new version makes one (\"roost job run FILE\").")
            return .success
        }
        var table = Table("ID", "Job ID", "Job Version", "Status", "Description")
        for deployment in deployments {
            table.append([
                deployment.id.short, deployment.jobID, String(deployment.jobVersion),
                StatusColor.paint(deployment.status.rawValue, in: context), deployment.statusDescription,
            ])
        }
        context.console.writeOutput(table.rendered())
        return .success
    }
}
