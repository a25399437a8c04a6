/// `roost version`.
enum VersionCommand: Command {
    static let name = "version"
    static let abstract = "Print the version of roost and the Swift compiler that built it."

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.isEmpty else {
            throw .usage("\"\(context.commandPath)\" takes no arguments")
        }
        context.writeLine(RoostVersion.banner)
        return .success
    }
}
