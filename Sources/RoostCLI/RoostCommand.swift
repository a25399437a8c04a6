/// `roost`: the root of the command tree.
enum RoostCommand: Command {
    static let name = "roost"
    static let abstract = "Roost runs jobs on machines you own; these commands run an agent and talk to it."
    static let discussion = """
        Job files are written in Nomad's HCL job specification language. "roost agent -dev"
        starts a single-machine cluster; "roost job run FILE" submits a job to it and
        "roost job status", "roost alloc status" and "roost alloc logs" show what it does.
        Commands that talk to an agent find it through --address or ROOST_ADDR
        (default http://127.0.0.1:4646). Clusters of several machines come in a later version.
        """
    static let options = [OptionDescription("version", help: "Print the version (same as \"roost version\").")]
    static var subcommands: [any Command.Type] { [AgentCommand.self, JobCommand.self, DeploymentCommand.self, AllocCommand.self, NodeCommand.self, MembersCommand.self, AclCommand.self, ClusterCommand.self, JoinCommand.self, OperatorCommand.self, SystemCommand.self, FmtCommand.self, VersionCommand.self, HelpCommand.self] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        if arguments.flag("version") == true {
            context.writeLine(RoostVersion.banner)
            return .success
        }
        throw .usage("\"roost\" needs a command")
    }
}
