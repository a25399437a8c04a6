/// The text of `roost help COMMAND` and `COMMAND --help`, built from the command's own
/// description so that help cannot drift from what the parser accepts.
enum HelpText {
    static func render(_ command: any Command.Type, path: [String]) -> String {
        let commandPath = path.joined(separator: " ")
        var text = command.abstract + "\n\nUsage:\n  " + commandPath
        if !command.usage.isEmpty {
            text += " " + command.usage
        }
        text += "\n"
        if !command.discussion.isEmpty {
            text += "\n" + command.discussion + "\n"
        }
        if !command.subcommands.isEmpty {
            text += "\nCommands:\n"
            text += table(command.subcommands.map { ($0.name, $0.abstract) })
        }
        text += "\nOptions:\n"
        text += table(command.allOptions.map { ($0.synopsis, $0.help) })
        if !command.subcommands.isEmpty {
            text += "\nRun \"\(commandPath) COMMAND --help\" for more about a command.\n"
        }
        return text
    }

    /// The line that follows every usage error.
    static func pointer(to commandPath: String) -> String {
        "Run \"\(commandPath) --help\" for usage."
    }

    private static func table(_ rows: [(String, String)]) -> String {
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { left, right in
            "  " + left + String(repeating: " ", count: width - left.count + 3) + right + "\n"
        }.joined()
    }
}
