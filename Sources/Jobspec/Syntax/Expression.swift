import ClusterModel

/// An HCL expression as written. Evaluation happens later (`Evaluator`), so the tree keeps
/// everything needed to evaluate it or to quote it back verbatim (spans into the source).
///
/// Only the cases that hold an `Expression` directly are `indirect`: a box is a heap
/// allocation, and literals, templates and references (most of a job file) need none.
public enum Expression: Sendable {
    /// A number, bool, null, or a quoted string with no interpolation in it.
    case literal(DynamicValue, SourceSpan)
    /// A quoted string or heredoc containing `${…}` or `%{…}`.
    case template(TemplateExpression)
    /// `name`, `var.x.y`, `env["X"]`, `local.list[0]`: a root name followed by static steps.
    /// A root the evaluator does not know (`attr`, `node`, `meta`, `NOMAD_ALLOC_ID`, …) is a
    /// Nomad runtime reference and evaluates to its own source text wrapped in `${…}`.
    case traversal(Traversal)
    /// `expr.name` where `expr` is not a plain traversal (e.g. `lookup(…).dcs`).
    indirect case getAttribute(Expression, name: String, SourceSpan)
    /// `expr[key]` where `expr` or `key` is not static.
    indirect case index(Expression, key: Expression, SourceSpan)
    /// `expr[*].a.b` or `expr.*.a`: apply `steps` to every element of `expr`.
    indirect case splat(Expression, steps: [TraversalStep], SourceSpan)
    /// `[a, b, c]`
    case tuple([Expression], SourceSpan)
    /// `{ key = value, … }`; a bare identifier key is a literal string.
    case object([ObjectItem], SourceSpan)
    /// `name(arg, …)`, with `expandFinal` for `f(list...)`.
    indirect case functionCall(name: String, arguments: [Expression], expandFinal: Bool, SourceSpan)
    indirect case unary(UnaryOperator, Expression, SourceSpan)
    indirect case binary(BinaryOperator, Expression, Expression, SourceSpan)
    /// `condition ? then : else`
    indirect case conditional(Expression, Expression, Expression, SourceSpan)
    /// `[for k, v in coll : value if cond]` and `{for k, v in coll : key => value... if cond}`.
    indirect case forExpression(ForExpression)
    /// `( expr )`, kept so that object keys can tell `(a) = 1` from `a = 1`.
    indirect case parenthesized(Expression, SourceSpan)

    public var span: SourceSpan {
        switch self {
        case .literal(_, let span), .getAttribute(_, _, let span), .index(_, _, let span),
            .splat(_, _, let span), .tuple(_, let span), .object(_, let span),
            .functionCall(_, _, _, let span), .unary(_, _, let span), .binary(_, _, _, let span),
            .conditional(_, _, _, let span), .parenthesized(_, let span):
            span
        case .template(let template): template.span
        case .traversal(let traversal): traversal.span
        case .forExpression(let forExpression): forExpression.span
        }
    }
}

public enum UnaryOperator: String, Sendable {
    case negate = "-"
    case not = "!"
}

public enum BinaryOperator: String, Sendable {
    case or = "||"
    case and = "&&"
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case modulo = "%"
}

/// A root name and the static attribute/index steps after it.
public struct Traversal: Sendable {
    public var root: String
    public var rootSpan: SourceSpan
    public var steps: [TraversalStep]

    public init(root: String, rootSpan: SourceSpan, steps: [TraversalStep] = []) {
        self.root = root
        self.rootSpan = rootSpan
        self.steps = steps
    }

    public var span: SourceSpan { steps.last.map { rootSpan.union($0.span) } ?? rootSpan }
}

public enum TraversalStep: Sendable {
    /// `.name`
    case attribute(String, SourceSpan)
    /// `[expr]`, or the legacy `.0` form with a number literal.
    case index(Expression, SourceSpan)

    public var span: SourceSpan {
        switch self {
        case .attribute(_, let span), .index(_, let span): span
        }
    }
}

public struct ObjectItem: Sendable {
    public var key: Expression
    public var value: Expression

    public init(key: Expression, value: Expression) {
        self.key = key
        self.value = value
    }
}

public struct ForExpression: Sendable {
    public var keyVariable: String?
    public var valueVariable: String
    public var collection: Expression
    /// Present for the object form `{for … : key => value}`.
    public var keyExpression: Expression?
    public var valueExpression: Expression
    public var condition: Expression?
    /// The object form's `...`: values with the same key are collected into lists.
    public var grouping: Bool
    public var span: SourceSpan

    public init(
        keyVariable: String?, valueVariable: String, collection: Expression, keyExpression: Expression?,
        valueExpression: Expression, condition: Expression?, grouping: Bool, span: SourceSpan
    ) {
        self.keyVariable = keyVariable
        self.valueVariable = valueVariable
        self.collection = collection
        self.keyExpression = keyExpression
        self.valueExpression = valueExpression
        self.condition = condition
        self.grouping = grouping
        self.span = span
    }
}

/// A quoted string or heredoc with interpolations and directives. Strip markers (`~`) are
/// already applied by the parser to the neighbouring literal parts.
public struct TemplateExpression: Sendable {
    public var parts: [TemplatePart]
    public var span: SourceSpan

    public init(parts: [TemplatePart], span: SourceSpan) {
        self.parts = parts
        self.span = span
    }
}

public enum TemplatePart: Sendable {
    case literal(String)
    /// `${ expr }`
    case interpolation(Expression)
    /// `%{ if cond }…%{ else }…%{ endif }`
    indirect case conditional(condition: Expression, then: [TemplatePart], otherwise: [TemplatePart], SourceSpan)
    /// `%{ for k, v in coll }…%{ endfor }`
    indirect case loop(keyVariable: String?, valueVariable: String, collection: Expression, body: [TemplatePart], SourceSpan)
}
