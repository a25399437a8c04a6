import Jobspec

/// `roost job validate FILE...`: every problem of every file, like a compiler.
enum JobValidateCommand: Command {
    static let name = "validate"
    static let abstract = "Check job files and report every problem, with file:line:col."
    static let usage = "FILE... [-var NAME=VALUE]... [-var-file FILE]..."
    static let discussion = """
        Parses each file, evaluates its variables, locals and functions, and decodes every
        block, reporting all problems (not just the first). Blocks that Roost accepts but does
        not run yet are reported as warnings. Use - to read a job from standard input.
        Exits 0 when every file is valid, 1 when any has errors.
        """ + "\n\n" + VariableOptions.discussion
    static var options: [OptionDescription] { VariableOptions.options }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        let files = arguments.positionals
        guard !files.isEmpty else {
            throw .usage("\"\(context.commandPath)\" needs at least one FILE (or - for standard input)")
        }
        try JobSourceReader.checkStandardInputUsedOnce(files)
        let variables = try VariableOptions.inputs(from: arguments, in: context)

        var allValid = true
        for file in files {
            guard let source = JobSourceReader.readOrReport(file, in: context) else {
                allValid = false
                continue
            }
            let jobFile = JobFile.load(source, variables: variables)
            context.report(jobFile.diagnostics, in: source)
            if let job = jobFile.job, !jobFile.hasErrors {
                let warnings = jobFile.diagnostics.count
                let note = warnings == 0 ? "" : " (\(JobSourceReader.counted(warnings, "warning")))"
                context.writeLine("\(source.name): job \"\(job.id)\" is valid\(note)")
            } else {
                context.writeErrorLine("\(source.name): \(JobSourceReader.summary(of: jobFile.diagnostics))")
                allValid = false
            }
        }
        return allValid ? .success : .failure
    }
}
