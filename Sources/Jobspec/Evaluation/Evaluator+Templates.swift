import ClusterModel

/// Quoted strings and heredocs with `${…}`, `%{if}` and `%{for}`.
extension Evaluator {
    mutating func evaluateTemplate(_ template: TemplateExpression) throws(EvaluationError) -> DynamicValue {
        // `"${x}"` alone is x itself, not its text: HCL keeps lists, numbers and bools whole.
        if let lone = loneInterpolation(template.parts) {
            return try evaluate(lone)
        }
        var output = ""
        try render(template.parts, into: &output, span: template.span)
        return .string(output)
    }

    /// The expression of a template that is one interpolation, ignoring empty text around it.
    private func loneInterpolation(_ parts: [TemplatePart]) -> Expression? {
        var found: Expression?
        for part in parts {
            switch part {
            case .literal(let text) where text.isEmpty:
                continue
            case .interpolation(let expression) where found == nil:
                found = expression
            default:
                return nil
            }
        }
        return found
    }

    private mutating func render(_ parts: [TemplatePart], into output: inout String, span: SourceSpan)
        throws(EvaluationError)
    {
        for part in parts {
            switch part {
            case .literal(let text):
                try append(text, to: &output, span: span)
            case .interpolation(let expression):
                let value = try evaluate(expression)
                guard let text = value.convertedToString else {
                    let detail = value == .null
                        ? "cannot insert null into a string"
                        : "cannot insert \(value.describedKind) into a string"
                    throw EvaluationError(
                        detail, at: expression.span,
                        hint: value == .null ? nil : "use jsonencode(…) or join(…) to turn it into text")
                }
                try append(text, to: &output, span: expression.span)
            case .conditional(let condition, let whenTrue, let whenFalse, _):
                let chosen = try requireBool(try evaluate(condition), at: condition.span, role: "the %{if} condition")
                try render(chosen ? whenTrue : whenFalse, into: &output, span: span)
            case .loop(let keyVariable, let valueVariable, let collection, let body, let loopSpan):
                let elements = try iterationElements(of: try evaluate(collection), at: collection.span)
                let saved = bindings
                defer { bindings = saved }
                for (key, value) in elements {
                    try charge(1, at: loopSpan)
                    if let keyVariable { bindings[keyVariable] = key }
                    bindings[valueVariable] = value
                    try render(body, into: &output, span: loopSpan)
                }
            }
        }
    }

    private mutating func append(_ text: String, to output: inout String, span: SourceSpan) throws(EvaluationError) {
        let count = text.utf8.count
        try charge(count, at: span)
        guard output.utf8.count + count <= EvaluationBudget.maximumStringBytes else {
            throw EvaluationError(EvaluationBudget.stringTooLongMessage, at: span)
        }
        output += text
    }
}
