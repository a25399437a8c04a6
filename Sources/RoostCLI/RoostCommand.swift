/// `roost`: the root of the command tree.
enum RoostCommand: Command {
    static let name = "roost"
    static let abstract = "Roost runs jobs on a cluster of machines; these commands work with job files."
    static let discussion = """
        Job files are written in Nomad's HCL job specification language. The cluster agent
        (roost agent) is not part of this release yet: it arrives in a later version. Today
        roost validates, inspects and formats job files.
        """
    static let options = [OptionDescription("version", help: "Print the version (same as \"roost version\").")]
    static var subcommands: [any Command.Type] { [AgentCommand.self, JobCommand.self, AllocCommand.self, NodeCommand.self, FmtCommand.self, VersionCommand.self, HelpCommand.self] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        if arguments.flag("version") == true {
            context.writeLine(RoostVersion.banner)
            return .success
        }
        throw .usage("\"roost\" needs a command")
    }
}
