import Jobspec

/// `roost help [COMMAND...]`: the same text as `roost COMMAND... --help`.
enum HelpCommand: Command {
    static let name = "help"
    static let abstract = "Show help for roost or for one of its commands."
    static let usage = "[COMMAND...]"

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        var command: any Command.Type = RoostCommand.self
        var path = [RoostCommand.name]
        for word in arguments.positionals {
            guard let subcommand = command.subcommands.first(where: { $0.name == word }) else {
                let commandPath = path.joined(separator: " ")
                if command.subcommands.isEmpty {
                    throw .usage("\"\(commandPath)\" has no subcommands", helpPath: commandPath)
                }
                throw .usage(
                    "unknown command \"\(word)\" for \"\(commandPath)\"",
                    hint: Suggestion.hint(for: word, among: command.subcommands.map { $0.name }), helpPath: commandPath)
            }
            command = subcommand
            path.append(word)
        }
        context.console.writeOutput(HelpText.render(command, path: path))
        return .success
    }
}
