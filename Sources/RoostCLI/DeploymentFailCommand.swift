/// `roost deployment fail DEPLOYMENT`: stops a roll-out for good (and reverts the job when its
/// groups set `auto_revert`).
enum DeploymentFailCommand: Command {
    static let name = "fail"
    static let abstract = "Mark a running deployment failed (auto_revert then rolls the job back)."
    static let usage = "DEPLOYMENT [--address URL]"
    static var options: [OptionDescription] { [AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        try await DeploymentCommand.act("fail", on: arguments, in: context, done: "marked as failed")
    }
}
