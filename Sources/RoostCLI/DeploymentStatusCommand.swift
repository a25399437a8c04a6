import API
import ClusterModel

/// `roost deployment status DEPLOYMENT`: one deployment and its groups' progress.
enum DeploymentStatusCommand: Command {
    static let name = "status"
    static let abstract = "Show a deployment: its status and each group's progress."
    static let usage = "DEPLOYMENT [--json] [--address URL]"
    static let discussion = "DEPLOYMENT is an ID or a unique prefix of one (see \"roost deployment list\")."
    static var options: [OptionDescription] { [AgentClient.jsonOption, AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let prefix = arguments.positionals.first else {
            throw .usage("\"\(context.commandPath)\" takes exactly one DEPLOYMENT (an ID or a unique prefix of one)")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let deployment = try await DeploymentCommand.lookUp(prefix, with: client)
        if arguments.flag("json") == true {
            context.writeLine(try await client.getText("/v1/deployment/\(deployment.id.uuid)"))
            return .success
        }
        context.console.writeOutput(DeploymentCommand.describe(deployment, in: context, now: .current))
        return .success
    }
}
