/// One command of the `roost` tree. Shaped like swift-argument-parser's `ParsableCommand`
/// (a name, an abstract, usage, subcommands, `run`) but written by hand, because Roost takes no
/// package dependencies. A command with subcommands is a group: the tool dispatches to one of
/// them and never calls the group's own `run`.
protocol Command {
    /// The word that selects the command, e.g. `validate`.
    static var name: String { get }
    /// One line for command lists.
    static var abstract: String { get }
    /// The arguments after the command's path, e.g. `FILE... [-var NAME=VALUE]...`.
    static var usage: String { get }
    /// Paragraphs shown by `--help` after the usage line.
    static var discussion: String { get }
    static var options: [OptionDescription] { get }
    static var subcommands: [any Command.Type] { get }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode
}

extension Command {
    static var discussion: String { "" }
    static var options: [OptionDescription] { [] }
    static var subcommands: [any Command.Type] { [] }
    static var usage: String { subcommands.isEmpty ? "" : "COMMAND" }

    /// Groups have nothing to do on their own: naming no subcommand is a usage error.
    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        throw .usage("\"\(context.commandPath)\" needs a command")
    }

    /// Every option the command accepts, including the help flags it always has, and
    /// `--token` wherever the command talks to an agent (it takes `--address`).
    static var allOptions: [OptionDescription] {
        let talksToAgent = options.contains { $0.name == AgentClient.addressOption.name }
        return options + (talksToAgent ? [AgentClient.tokenOption] : []) + [.help]
    }
}
