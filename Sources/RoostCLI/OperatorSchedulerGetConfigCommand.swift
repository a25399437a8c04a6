/// `roost operator scheduler get-config`: which scheduler types may preempt.
enum OperatorSchedulerGetConfigCommand: Command {
    static let name = "get-config"
    static let abstract = "Show the scheduler configuration."
    static let usage = "[-json] [--address URL]"
    static var options: [OptionDescription] { [AgentClient.jsonOption, AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.isEmpty else { throw .usage("\"\(context.commandPath)\" takes no arguments") }
        let client = try AgentClient.connect(arguments, in: context)
        let path = "/v1/operator/scheduler/configuration"
        if arguments.flag("json") == true {
            context.writeLine(try await client.getText(path))
            return .success
        }
        let (reply, _) = try await client.get(path, as: OperatorSchedulerCommand.Reply.self)
        context.writeLine(OperatorSchedulerCommand.describe(reply.schedulerConfig.preemptionConfig))
        return .success
    }
}
