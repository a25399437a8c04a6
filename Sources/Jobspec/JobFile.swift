import ClusterModel

/// The whole pipeline for one job file: parse → evaluate → decode. Every stage reports into
/// the same diagnostics list, so a user sees all the problems of a file at once.
public struct JobFile: Sendable {
    public let source: SourceFile
    /// nil when the file has errors.
    public let job: JobSpec?
    public let diagnostics: [Diagnostic]

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Diagnostics rendered for a terminal, one block per problem.
    public var renderedDiagnostics: String {
        diagnostics.map { $0.rendered(in: source) }.joined(separator: "\n")
    }

    public static func load(
        _ source: SourceFile, variables: [String: VariableInput] = [:], limits: ParseLimits = .default
    ) -> JobFile {
        var sink = DiagnosticSink(source: source)
        var parser = Parser(source: source, limits: limits)
        let syntax = parser.parseFile(into: &sink)
        var job: JobSpec?
        if !sink.hasErrors {
            var evaluator = Evaluator(source: source, variables: variables, limits: limits)
            let evaluated = evaluator.evaluateFile(consume syntax, into: &sink)
            let decoded = JobDecoder(source: source).decode(evaluated, into: &sink)
            job = sink.hasErrors ? nil : decoded
        }
        return JobFile(source: source, job: job, diagnostics: sink.diagnostics)
    }

    private init(source: SourceFile, job: JobSpec?, diagnostics: [Diagnostic]) {
        self.source = source
        self.job = job
        self.diagnostics = diagnostics
    }
}

extension JobFile: CustomStringConvertible {
    public var description: String {
        "JobFile(\(source.name): \(job.map { "job \"\($0.id)\"" } ?? "no job"), \(diagnostics.count) diagnostics)"
    }
}
