import ClusterModel

/// Evaluates a parsed file the way Nomad's HCL2 jobspec loader does: input variables,
/// locals, `dynamic` blocks, expressions and functions. References Nomad resolves at run
/// time on the client (`${attr.kernel.name}`, `${NOMAD_ALLOC_ID}`, `${env["X"]}`) are kept
/// verbatim. Every error is reported with its span and evaluation goes on, so a user sees
/// all the problems of a file at once; a failing attribute is left out of the output.
public struct Evaluator: Sendable {
    public let source: SourceFile
    public let variables: [String: VariableInput]
    public let limits: ParseLimits

    /// Values of the declared input variables (`var.name`), once resolved.
    var variableValues: [String: DynamicValue] = [:]
    /// Declared variables whose value was rejected (already reported): references to them
    /// fail quietly.
    var unusableVariables: Set<String> = []
    var localValues: [String: DynamicValue] = [:]
    var unusableLocals: Set<String> = []
    /// Names bound by `for` expressions, template `%{for}` loops and `dynamic` iterators.
    /// They shadow everything else, as inner scopes do in HCL.
    var bindings: [String: DynamicValue] = [:]
    /// False while evaluating a variable's default or a value given on the command line,
    /// which cannot refer to variables or locals.
    var referencesAllowed = true
    /// False while evaluating a value given on the command line: there is no job file text
    /// to keep a runtime reference verbatim from.
    var runtimeReferencesAllowed = true
    var budget = EvaluationBudget()
    /// Problems already reported, so that an error inside a `dynamic` block's content is
    /// reported once rather than once per generated block.
    private var reportedProblems: Set<String> = []

    public init(source: SourceFile, variables: [String: VariableInput] = [:], limits: ParseLimits = .default) {
        self.source = source
        self.variables = variables
        self.limits = limits
    }

    /// Consumes the tree: it is freed piece by piece as it is evaluated (see `evaluateBody`).
    public mutating func evaluateFile(_ body: consuming SyntaxBody, into sink: inout DiagnosticSink) -> EvaluatedBody {
        resolveVariables(in: body, into: &sink)
        resolveLocals(in: body, into: &sink)
        return evaluateBody(body, into: &sink, isFile: true)
    }

    /// Reports each problem of an error once.
    mutating func report(_ error: EvaluationError, into sink: inout DiagnosticSink) {
        for problem in error.problems {
            let key = "\(problem.span.start):\(problem.span.end):\(problem.message)"
            guard reportedProblems.insert(key).inserted else { continue }
            sink.error(problem.message, at: problem.span, hint: problem.hint)
        }
    }

    /// Charges work to the file's budget; past it, evaluation fails everywhere.
    mutating func charge(_ units: Int, at span: SourceSpan) throws(EvaluationError) {
        guard budget.spend(units) else {
            var error = EvaluationError(EvaluationBudget.exhaustedMessage, at: span)
            error.isFatal = true
            throw error
        }
    }

    /// Charges what walking a value deeply costs (comparing, hashing).
    mutating func chargeWeight(of value: DynamicValue, at span: SourceSpan) throws(EvaluationError) {
        switch value {
        case .list, .map: try charge(value.weight(upTo: max(0, budget.remaining)), at: span)
        default: return
        }
    }

    /// Keeps stored values (locals, variables) within the depth limit, so that every later
    /// recursive walk of a value (comparison, hashing, JSON) is bounded; the walk is charged.
    /// `what` is built only for the message: most values are checked and never described.
    mutating func checkShape(of value: DynamicValue, at span: SourceSpan, describing what: @autoclosure () -> String)
        throws(EvaluationError)
    {
        switch value {
        case .list, .map: break
        default: return try charge(1, at: span)
        }
        switch value.checkShape(depthLimit: limits.maximumDepth, nodeLimit: max(0, budget.remaining) + 1) {
        case .fits(let nodes):
            try charge(nodes, at: span)
        case .tooDeep:
            throw EvaluationError("\(what()) nests deeper than \(limits.maximumDepth) levels", at: span)
        case .tooLarge:
            try charge(budget.remaining + 1, at: span)
        }
    }
}
