import ClusterModel

/// Evaluates a parsed file: input variables, locals, `dynamic` blocks, expressions and
/// functions. (Stub: being written.)
public struct Evaluator: Sendable {
    public let source: SourceFile
    public let variables: [String: VariableInput]
    public let limits: ParseLimits

    public init(source: SourceFile, variables: [String: VariableInput] = [:], limits: ParseLimits = .default) {
        self.source = source
        self.variables = variables
        self.limits = limits
    }

    public mutating func evaluateFile(_ body: SyntaxBody, into sink: inout DiagnosticSink) -> EvaluatedBody {
        sink.error("the HCL evaluator is not written yet", at: body.span)
        return EvaluatedBody(span: body.span)
    }
}
