import Foundation
import Jobspec

/// The `roost` command line: finds the command the words name, parses its options, runs it,
/// and turns what went wrong into `error: …` on stderr and an exit status (0, 1, or 64 for
/// usage errors).
public enum CommandLineTool {
    /// Runs one invocation and returns the process exit status. Tests pass their own console
    /// (to read what was printed and to feed standard input) and environment.
    public static func run(
        arguments: [String], console: any Console = StandardConsole(),
        environment: [String: String] = ProcessInfo.processInfo.environment, agentLauncher: AgentLauncher? = nil
    ) async -> Int32 {
        let context = CommandContext(
            console: console, environment: environment, agentLauncher: agentLauncher, path: [RoostCommand.name])
        return await dispatch(RoostCommand.self, arguments: arguments[...], context: context).rawValue
    }

    /// The process entry point used by the `roost` executable.
    public static func main(agentLauncher: AgentLauncher? = nil) async -> Never {
        exit(await run(arguments: Array(CommandLine.arguments.dropFirst()), agentLauncher: agentLauncher))
    }

    static func dispatch(_ command: any Command.Type, arguments: ArraySlice<String>, context: CommandContext) async -> ExitCode {
        let isGroup = !command.subcommands.isEmpty
        if isGroup, let word = arguments.first, !word.hasPrefix("-") {
            guard let subcommand = command.subcommands.first(where: { $0.name == word }) else {
                return report(
                    .usage(
                        "unknown command \"\(word)\" for \"\(context.commandPath)\"",
                        hint: Suggestion.hint(for: word, among: command.subcommands.map { $0.name })),
                    in: context)
            }
            return await dispatch(subcommand, arguments: arguments.dropFirst(), context: context.descending(into: word))
        }
        if ParsedArguments.requestsHelp(arguments) {
            context.console.writeOutput(HelpText.render(command, path: context.path))
            return .success
        }
        if isGroup, arguments.isEmpty {
            // A bare group: show what it offers, but as a usage error so scripts notice.
            context.console.writeError(HelpText.render(command, path: context.path))
            return .usage
        }
        do {
            let parsed = try ParsedArguments(parsing: arguments, options: command.allOptions, commandPath: context.commandPath)
            return try await command.run(parsed, in: context)
        } catch {
            return report(error, in: context)
        }
    }

    static func report(_ error: CommandError, in context: CommandContext) -> ExitCode {
        context.writeErrorLine("error: \(error.message)")
        if let hint = error.hint {
            context.writeErrorLine("hint: \(hint)")
        }
        if error.kind == .usage {
            context.writeErrorLine(HelpText.pointer(to: error.helpPath ?? context.commandPath))
        }
        return error.exitCode
    }
}
