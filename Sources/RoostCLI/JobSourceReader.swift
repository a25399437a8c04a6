import ClusterModel
import Jobspec

/// Turns a FILE argument into a `SourceFile`: a path on disk, or `-` for standard input.
enum JobSourceReader {
    /// The name diagnostics use for standard input.
    static let standardInputName = "<stdin>"

    static func source(for argument: String, in context: CommandContext) throws(FileError) -> SourceFile {
        let limit = ParseLimits.default.maximumFileBytes
        if argument == "-" {
            return SourceFile(name: standardInputName, bytes: try context.console.readInput(limit: limit))
        }
        return SourceFile(name: argument, bytes: try LocalFile.contents(ofFile: argument, limit: limit))
    }

    /// The file's source, or nil after saying why it cannot be read: one unreadable file must
    /// not stop the others from being checked.
    static func readOrReport(_ argument: String, in context: CommandContext) -> SourceFile? {
        do {
            return try source(for: argument, in: context)
        } catch {
            context.writeErrorLine("error: \(error.message)")
            return nil
        }
    }

    /// Standard input can be read only once per invocation.
    static func checkStandardInputUsedOnce(_ files: [String]) throws(CommandError) {
        if files.filter({ $0 == "-" }).count > 1 {
            throw .usage("\"-\" (standard input) can be given only once")
        }
    }

    /// `2 errors, 1 warning`.
    static func summary(of diagnostics: [Diagnostic]) -> String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.count - errors
        var parts = [counted(errors, "error")]
        if warnings > 0 {
            parts.append(counted(warnings, "warning"))
        }
        return parts.joined(separator: ", ")
    }

    static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    /// The job of one FILE argument, after reporting its diagnostics; nil (after a summary line)
    /// when the file cannot be read or has errors. `job inspect` and `job run` share it, so both
    /// report a bad file exactly as `job validate` does.
    static func loadJob(
        _ file: String, variables: [String: VariableInput], in context: CommandContext
    ) throws(CommandError) -> JobSpec? {
        let source: SourceFile
        do {
            source = try self.source(for: file, in: context)
        } catch {
            throw .failure(error.message)
        }
        let jobFile = JobFile.load(source, variables: variables)
        context.report(jobFile.diagnostics, in: source)
        guard let job = jobFile.job, !jobFile.hasErrors else {
            context.writeErrorLine("\(source.name): \(summary(of: jobFile.diagnostics))")
            return nil
        }
        return job
    }
}
