/// `roost deployment pause DEPLOYMENT`: holds a roll-out where it is.
enum DeploymentPauseCommand: Command {
    static let name = "pause"
    static let abstract = "Pause a deployment: no further replacements or canaries until resumed."
    static let usage = "DEPLOYMENT [--address URL]"
    static var options: [OptionDescription] { [AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        try await DeploymentCommand.act("pause", on: arguments, in: context, body: ["Pause": true], done: "paused")
    }
}
