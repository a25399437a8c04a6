import ClusterModel

/// Function calls, including the two that need their arguments unevaluated: `can(expr)`
/// (whether `expr` evaluates without error) and `try(a, b, …)` (the first that does).
extension Evaluator {
    mutating func evaluateCall(_ name: String, arguments: [Expression], expandFinal: Bool, span: SourceSpan)
        throws(EvaluationError) -> DynamicValue
    {
        let nameSpan = SourceSpan(start: span.start, end: min(span.end, span.start + name.utf8.count))
        switch name {
        case "can": return try evaluateCan(arguments, span: span)
        case "try": return try evaluateTry(arguments, span: span)
        default: break
        }
        guard let function = Functions.table[name] else {
            throw EvaluationError(
                "there is no function named \"\(name)\"", at: nameSpan,
                hint: Suggestion.hint(for: name, among: Functions.allNames.sorted()))
        }
        var values: [DynamicValue] = []
        var spans: [SourceSpan] = []
        var failure: EvaluationError?
        for argument in arguments {
            do throws(EvaluationError) {
                values.append(try evaluate(argument))
                spans.append(argument.span)
            } catch {
                if error.isFatal { throw error }
                if failure == nil { failure = error } else { failure?.absorb(error) }
            }
        }
        if let failure { throw failure }
        if expandFinal, let last = values.popLast(), let lastSpan = spans.popLast() {
            guard case .list(let items) = last else {
                throw EvaluationError(
                    "the final argument of \"\(name)\" is followed by \"...\", so it must be a list, got \(last.describedKind)",
                    at: lastSpan)
            }
            try charge(items.count, at: lastSpan)
            values.append(contentsOf: items)
            spans.append(contentsOf: Array(repeating: lastSpan, count: items.count))
        }
        var context = FunctionContext(budget: budget, maximumDepth: limits.maximumDepth)
        defer { budget = context.budget }
        do throws(FunctionError) {
            let prepared = try function.prepare(values, name: name)
            return try function.implementation(prepared, &context)
        } catch {
            let at = error.argumentIndex.flatMap { $0 < spans.count ? spans[$0] : nil } ?? span
            var failure = EvaluationError(error.message(function: name), at: at)
            if case .exhausted = error { failure.isFatal = true }
            throw failure
        }
    }

    private mutating func evaluateCan(_ arguments: [Expression], span: SourceSpan) throws(EvaluationError)
        -> DynamicValue
    {
        guard arguments.count == 1 else {
            throw EvaluationError("\"can\" takes 1 argument, got \(arguments.count)", at: span)
        }
        do throws(EvaluationError) {
            _ = try evaluate(arguments[0])
            return .bool(true)
        } catch {
            if error.isFatal { throw error }
            return .bool(false)
        }
    }

    private mutating func evaluateTry(_ arguments: [Expression], span: SourceSpan) throws(EvaluationError)
        -> DynamicValue
    {
        guard let last = arguments.last else {
            throw EvaluationError("\"try\" takes at least 1 argument, got 0", at: span)
        }
        var lastError = EvaluationError.alreadyReported
        for argument in arguments {
            do throws(EvaluationError) {
                return try evaluate(argument)
            } catch {
                if error.isFatal { throw error }
                lastError = error
            }
        }
        guard let cause = lastError.problems.first else { throw lastError }
        throw EvaluationError(
            "no argument of \"try\" could be evaluated; the last one failed: \(cause.message)", at: last.span,
            hint: cause.hint)
    }
}
