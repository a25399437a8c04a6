/// `roost deployment resume DEPLOYMENT`: lets a paused roll-out go on.
enum DeploymentResumeCommand: Command {
    static let name = "resume"
    static let abstract = "Resume a paused deployment (its progress deadlines start again)."
    static let usage = "DEPLOYMENT [--address URL]"
    static var options: [OptionDescription] { [AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        try await DeploymentCommand.act("pause", on: arguments, in: context, body: ["Pause": false], done: "resumed")
    }
}
