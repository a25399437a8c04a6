/// Why an expression could not be evaluated. The error travels up to the attribute (or block
/// argument) being evaluated, which reports it and is left out of the output: one bad
/// expression costs one attribute, and the rest of the file is still checked.
struct EvaluationError: Error {
    struct Problem: Sendable {
        var message: String
        var span: SourceSpan
        var hint: String?
    }

    /// Empty when the cause was already reported elsewhere (a variable whose value was
    /// rejected, a local in a cycle): references to it fail quietly instead of piling up
    /// follow-on errors.
    var problems: [Problem]
    /// Set when the evaluation ran out of its work budget. `can` and `try` never hide such
    /// an error, or a loop of `can(…)` could go on spending.
    var isFatal: Bool

    init(problems: [Problem], isFatal: Bool = false) {
        self.problems = problems
        self.isFatal = isFatal
    }

    init(_ message: String, at span: SourceSpan, hint: String? = nil) {
        self.init(problems: [Problem(message: message, span: span, hint: hint)])
    }

    static let alreadyReported = EvaluationError(problems: [])

    /// Collects a further error, so that e.g. every bad element of a list is reported at once.
    mutating func absorb(_ other: EvaluationError) {
        if problems.count < 50 { problems.append(contentsOf: other.problems.prefix(50 - problems.count)) }
        isFatal = isFatal || other.isFatal
    }
}
