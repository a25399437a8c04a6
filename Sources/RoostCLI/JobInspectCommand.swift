import Jobspec

/// `roost job inspect FILE`: the job as the cluster will receive it, in the JSON shape of
/// Nomad's `POST /v1/jobs` body, with every default filled in.
enum JobInspectCommand: Command {
    static let name = "inspect"
    static let abstract = "Print a job file as Nomad-compatible JSON, with defaults filled in."
    static let usage = "FILE [--json] [-var NAME=VALUE]... [-var-file FILE]..."
    static let discussion = """
        Prints {"Job": {...}} with PascalCase keys and durations in nanoseconds, the body that
        Nomad's POST /v1/jobs accepts. Problems are reported as by "roost job validate".
        Use - to read the job from standard input.
        """ + "\n\n" + VariableOptions.discussion
    static var options: [OptionDescription] {
        [OptionDescription("json", help: "Print the JSON on one line, for programs.")] + VariableOptions.options
    }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let file = arguments.positionals.first else {
            throw .usage("\"\(context.commandPath)\" takes exactly one FILE (or - for standard input)")
        }
        let variables = try VariableOptions.inputs(from: arguments, in: context)
        guard let job = try JobSourceReader.loadJob(file, variables: variables, in: context) else { return .failure }
        context.writeLine(NomadJSON.encode(job, pretty: arguments.flag("json") != true))
        return .success
    }
}
