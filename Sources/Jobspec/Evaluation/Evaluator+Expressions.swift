import ClusterModel

/// Expressions. Each kind of expression has its own small method so that the recursion,
/// which follows the nesting of the syntax tree (bounded by the parser), keeps small frames.
extension Evaluator {
    mutating func evaluate(_ expression: Expression) throws(EvaluationError) -> DynamicValue {
        switch expression {
        case .literal(let value, _):
            return value
        case .template(let template):
            return try evaluateTemplate(template)
        case .traversal(let traversal):
            return try evaluateTraversal(traversal)
        case .getAttribute(let base, let name, let span):
            let value = try evaluate(base)
            return try step(into: value, attribute: name, span: span)
        case .index(let base, let key, let span):
            let value = try evaluate(base)
            let keyValue = try evaluate(key)
            return try step(into: value, key: keyValue, span: span)
        case .splat(let base, let steps, let span):
            return try evaluateSplat(base, steps: steps, span: span)
        case .tuple(let elements, let span):
            return try evaluateTuple(elements, span: span)
        case .object(let items, let span):
            return try evaluateObject(items, span: span)
        case .functionCall(let name, let arguments, let expandFinal, let span):
            return try evaluateCall(name, arguments: arguments, expandFinal: expandFinal, span: span)
        case .unary(let operation, let operand, let span):
            return try evaluateUnary(operation, operand, span: span)
        case .binary(let operation, let left, let right, let span):
            return try evaluateBinary(operation, left, right, span: span)
        case .conditional(let condition, let whenTrue, let whenFalse, _):
            let chosen = try requireBool(try evaluate(condition), at: condition.span, role: "the condition")
            return try evaluate(chosen ? whenTrue : whenFalse)
        case .forExpression(let forExpression):
            return try evaluateFor(forExpression)
        case .parenthesized(let inner, _):
            return try evaluate(inner)
        }
    }

    // MARK: References

    private mutating func evaluateTraversal(_ traversal: Traversal) throws(EvaluationError) -> DynamicValue {
        if let bound = bindings[traversal.root] {
            return try apply(traversal.steps[...], to: bound, from: traversal.rootSpan)
        }
        switch traversal.root {
        case "var":
            return try evaluateNamedReference(
                traversal, kind: "variable", values: variableValues, unusable: unusableVariables,
                declareHint: { "declare it with a block: variable \"\($0)\" { type = string }" })
        case "local":
            return try evaluateNamedReference(
                traversal, kind: "local", values: localValues, unusable: unusableLocals,
                declareHint: { "define it in a locals block: locals { \($0) = … }" })
        default:
            guard runtimeReferencesAllowed else {
                throw EvaluationError(
                    "\"\(traversal.root)\" cannot be used here: only literal values are allowed", at: traversal.span)
            }
            // A Nomad runtime reference: the client fills it in, so it stays as written.
            return .string(runtimeReferenceText(traversal.span))
        }
    }

    /// `${` + the reference's source text + `}`, written into one string of the right size:
    /// concatenating three strings grew and copied it twice for every reference in the file.
    private func runtimeReferenceText(_ span: SourceSpan) -> String {
        let bytes = source.bytes
        let start = max(0, min(span.start, bytes.count))
        let end = max(start, min(span.end, bytes.count))
        let length = end - start + 3
        return String(unsafeUninitializedCapacity: length) { output in
            output[0] = UInt8(ascii: "$")
            output[1] = UInt8(ascii: "{")
            var index = 2
            for byte in bytes[start..<end] {
                output[index] = byte
                index += 1
            }
            output[index] = UInt8(ascii: "}")
            return length
        }
    }

    private mutating func evaluateNamedReference(
        _ traversal: Traversal, kind: String, values: [String: DynamicValue], unusable: Set<String>,
        declareHint: (String) -> String
    ) throws(EvaluationError) -> DynamicValue {
        guard referencesAllowed else {
            throw EvaluationError(
                "\"\(traversal.root)\" cannot be used here: a variable's default and a value given for a variable must be literal values",
                at: traversal.span)
        }
        guard let first = traversal.steps.first else {
            throw EvaluationError(
                "\"\(traversal.root)\" must be followed by a name, as in \(traversal.root).name", at: traversal.span)
        }
        let name: String
        switch first {
        case .attribute(let attribute, _):
            name = attribute
        case .index(let key, _):
            guard let text = try evaluate(key).convertedToString else {
                throw EvaluationError("a \(kind) name must be a string", at: first.span)
            }
            name = text
        }
        let span = traversal.rootSpan.union(first.span)
        guard let value = values[name] else {
            if unusable.contains(name) { throw .alreadyReported }
            let known = Set(values.keys).union(unusable)
            throw EvaluationError(
                "there is no \(kind) named \"\(name)\"", at: span,
                hint: Suggestion.hint(for: name, among: known.sorted()) ?? declareHint(name))
        }
        return try apply(traversal.steps.dropFirst(), to: value, from: span)
    }

    /// Applies static steps; an error points at the traversal up to the failing step.
    mutating func apply(_ steps: ArraySlice<TraversalStep>, to value: DynamicValue, from start: SourceSpan)
        throws(EvaluationError) -> DynamicValue
    {
        var current = value
        for traversalStep in steps {
            let span = start.union(traversalStep.span)
            switch traversalStep {
            case .attribute(let name, _):
                current = try step(into: current, attribute: name, span: span)
            case .index(let key, _):
                current = try step(into: current, key: try evaluate(key), span: span)
            }
        }
        return current
    }

    mutating func step(into value: DynamicValue, attribute name: String, span: SourceSpan) throws(EvaluationError)
        -> DynamicValue
    {
        switch value {
        case .map(let entries):
            guard let found = entries[name] else {
                throw EvaluationError(
                    "there is no attribute \"\(name)\" in this map", at: span,
                    hint: Suggestion.hint(for: name, among: entries.keys.sorted()))
            }
            return found
        case .list:
            throw EvaluationError(
                "cannot read attribute \"\(name)\" of a list", at: span,
                hint: "use an index such as [0], or a splat such as [*].\(name)")
        default:
            throw EvaluationError("cannot read attribute \"\(name)\" of \(value.describedKind)", at: span)
        }
    }

    mutating func step(into value: DynamicValue, key: DynamicValue, span: SourceSpan) throws(EvaluationError)
        -> DynamicValue
    {
        switch value {
        case .list(let items):
            guard let number = key.convertedToNumber else {
                throw EvaluationError("a list index must be a number, got \(describe(key))", at: span)
            }
            guard let index = Int(exactly: number), index >= 0, index < items.count else {
                throw EvaluationError(
                    "index \(NumberFormatting.string(from: number)) is out of range for a list of \(items.count) element\(items.count == 1 ? "" : "s")",
                    at: span)
            }
            return items[index]
        case .map(let entries):
            guard let name = key.convertedToString else {
                throw EvaluationError("a map key must be a string, got \(describe(key))", at: span)
            }
            guard let found = entries[name] else {
                throw EvaluationError(
                    "there is no key \"\(name)\" in this map", at: span,
                    hint: Suggestion.hint(for: name, among: entries.keys.sorted()))
            }
            return found
        default:
            throw EvaluationError("cannot index \(value.describedKind)", at: span)
        }
    }

    /// `list[*].name`: the steps applied to every element. A single value acts as a
    /// one-element list and null as an empty one, as in HCL.
    private mutating func evaluateSplat(_ base: Expression, steps: [TraversalStep], span: SourceSpan)
        throws(EvaluationError) -> DynamicValue
    {
        let items: [DynamicValue]
        switch try evaluate(base) {
        case .null: items = []
        case .list(let elements): items = elements
        case let single: items = [single]
        }
        var results: [DynamicValue] = []
        results.reserveCapacity(items.count)
        for item in items {
            try charge(1, at: span)
            results.append(try apply(steps[...], to: item, from: base.span))
        }
        return .list(results)
    }

    // MARK: Constructors

    private mutating func evaluateTuple(_ elements: [Expression], span: SourceSpan) throws(EvaluationError)
        -> DynamicValue
    {
        try charge(elements.count, at: span)
        var items: [DynamicValue] = []
        items.reserveCapacity(elements.count)
        var failure: EvaluationError?
        for element in elements {
            do throws(EvaluationError) {
                items.append(try evaluate(element))
            } catch {
                if error.isFatal { throw error }
                if failure == nil { failure = error } else { failure?.absorb(error) }
            }
        }
        if let failure { throw failure }
        return .list(items)
    }

    private mutating func evaluateObject(_ items: [ObjectItem], span: SourceSpan) throws(EvaluationError)
        -> DynamicValue
    {
        try charge(items.count, at: span)
        var entries: [String: DynamicValue] = [:]
        var failure: EvaluationError?
        for item in items {
            do throws(EvaluationError) {
                let key = try objectKey(item.key)
                let value = try evaluate(item.value)
                guard entries.updateValue(value, forKey: key) == nil else {
                    throw EvaluationError("the key \"\(key)\" appears more than once in this object", at: item.key.span)
                }
            } catch {
                if error.isFatal { throw error }
                if failure == nil { failure = error } else { failure?.absorb(error) }
            }
        }
        if let failure { throw failure }
        return .map(entries)
    }

    /// A bare name is the key itself (`{ name = 1 }`); anything else is evaluated.
    private mutating func objectKey(_ key: Expression) throws(EvaluationError) -> String {
        if case .traversal(let traversal) = key, traversal.steps.isEmpty { return traversal.root }
        let value = try evaluate(key)
        guard let text = value.convertedToString else {
            throw EvaluationError("an object key must be a string, got \(describe(value))", at: key.span)
        }
        return text
    }

    // MARK: Control

    private mutating func evaluateFor(_ expression: ForExpression) throws(EvaluationError) -> DynamicValue {
        let elements = try iterationElements(of: try evaluate(expression.collection), at: expression.collection.span)
        let saved = bindings
        defer { bindings = saved }
        var listResult: [DynamicValue] = []
        var mapResult: [String: DynamicValue] = [:]
        var groups: [String: [DynamicValue]] = [:]
        var groupedCount = 0
        for (key, value) in elements {
            try charge(1, at: expression.span)
            if let keyVariable = expression.keyVariable { bindings[keyVariable] = key }
            bindings[expression.valueVariable] = value
            if let condition = expression.condition {
                guard try requireBool(try evaluate(condition), at: condition.span, role: "the \"if\" condition") else {
                    continue
                }
            }
            guard let keyExpression = expression.keyExpression else {
                listResult.append(try evaluate(expression.valueExpression))
                if listResult.count > EvaluationBudget.maximumElements {
                    throw EvaluationError(EvaluationBudget.tooManyElementsMessage("the list"), at: expression.span)
                }
                continue
            }
            let keyValue = try evaluate(keyExpression)
            guard let name = keyValue.convertedToString else {
                throw EvaluationError("an object key must be a string, got \(describe(keyValue))", at: keyExpression.span)
            }
            let item = try evaluate(expression.valueExpression)
            if expression.grouping {
                groups[name, default: []].append(item)
                groupedCount += 1
                if groupedCount > EvaluationBudget.maximumElements {
                    throw EvaluationError(EvaluationBudget.tooManyElementsMessage("the map"), at: expression.span)
                }
            } else if mapResult.updateValue(item, forKey: name) != nil {
                throw EvaluationError(
                    "the key \"\(name)\" is produced more than once", at: keyExpression.span,
                    hint: "add \"...\" after the value expression to group the values of equal keys into lists")
            }
        }
        if expression.keyExpression == nil { return .list(listResult) }
        return expression.grouping ? .map(groups.mapValues(DynamicValue.list)) : .map(mapResult)
    }

    /// What `for`, `%{for}` and `dynamic` iterate: lists by index, maps by key.
    mutating func iterationElements(of value: DynamicValue, at span: SourceSpan) throws(EvaluationError)
        -> [(key: DynamicValue, value: DynamicValue)]
    {
        guard let elements = value.iterationElements else {
            throw EvaluationError("cannot iterate over \(describe(value)): expected a list or a map", at: span)
        }
        return elements
    }

    func requireBool(_ value: DynamicValue, at span: SourceSpan, role: String) throws(EvaluationError) -> Bool {
        guard let flag = value.convertedToBool else {
            throw EvaluationError("expected a bool for \(role), got \(describe(value))", at: span)
        }
        return flag
    }

    /// A value for a message: its kind, and for short strings and numbers the value itself.
    func describe(_ value: DynamicValue) -> String {
        switch value {
        case .string(let text): "a string (\(Functions.quoted(text)))"
        case .number(let number): "the number \(NumberFormatting.string(from: number))"
        case .bool(let flag): "the bool \(flag)"
        default: value.describedKind
        }
    }
}
