import Jobspec

/// `roost fmt FILE...`: rewrites job files in the canonical layout, so that diffs show only
/// real changes; `--check` lets CI refuse files that are not formatted.
enum FmtCommand: Command {
    static let name = "fmt"
    static let abstract = "Rewrite job files in the canonical HCL layout (--check for CI)."
    static let usage = "[--check] [--write=false] FILE..."
    static let discussion = """
        Rewrites each file in place when its layout changes (atomically, keeping its
        permissions) and prints the names of the files it changed. With --check nothing is
        written: the unformatted files are listed and the exit status is 1 if there are any.
        With --write=false the files that would change are listed and nothing is written.
        A single - formats standard input to standard output. Files that do not parse are
        left alone and their errors reported (exit 1).
        """
    static let options = [
        OptionDescription("check", help: "Change nothing; list unformatted files and exit 1 if there are any."),
        OptionDescription("write", help: "With --write=false, list the files that would change without writing them."),
    ]

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        let files = arguments.positionals
        guard !files.isEmpty else {
            throw .usage("\"\(context.commandPath)\" needs at least one FILE (or - for standard input)")
        }
        try JobSourceReader.checkStandardInputUsedOnce(files)
        let check = arguments.flag("check") ?? false
        let write = !check && (arguments.flag("write") ?? true)

        var failed = false
        var unformatted = false
        for file in files {
            guard let source = JobSourceReader.readOrReport(file, in: context) else {
                failed = true
                continue
            }
            var sink = DiagnosticSink(source: source)
            let formatted = Jobspec.Formatter.format(source, into: &sink)
            context.report(sink.diagnostics, in: source)
            guard let formatted, !sink.hasErrors else {
                context.writeErrorLine("\(source.name): not formatted: \(JobSourceReader.summary(of: sink.diagnostics))")
                failed = true
                continue
            }
            let changed = Array(formatted.utf8) != source.bytes
            if file == "-" {
                if check {
                    unformatted = unformatted || changed
                    if changed { context.writeLine(source.name) }
                } else {
                    context.console.writeOutput(formatted)
                }
                continue
            }
            guard changed else { continue }
            unformatted = true
            if write {
                do {
                    try LocalFile.replaceContents(ofFile: file, with: Array(formatted.utf8))
                } catch {
                    context.writeErrorLine("error: \(error.message)")
                    failed = true
                    continue
                }
            }
            context.writeLine(file)
        }
        if failed || (check && unformatted) {
            return .failure
        }
        return .success
    }
}
