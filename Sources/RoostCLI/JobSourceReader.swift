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
}
