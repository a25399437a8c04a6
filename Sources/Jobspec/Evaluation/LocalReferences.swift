/// Which locals an expression refers to (`local.name`, `local["name"]`), so that locals can
/// be evaluated in dependency order whatever order they are written in. Names bound by an
/// enclosing `for` are not references. Recursion follows the syntax tree.
struct LocalReferences {
    private(set) var names: Set<String> = []
    private var bound: [String: Int] = [:]

    static func names(in expression: Expression) -> Set<String> {
        var collector = LocalReferences()
        collector.visit(expression)
        return collector.names
    }

    private mutating func visit(_ expression: Expression) {
        switch expression {
        case .literal:
            return
        case .template(let template):
            visit(template.parts)
        case .traversal(let traversal):
            if traversal.root == "local", bound["local", default: 0] == 0, let first = traversal.steps.first {
                switch first {
                case .attribute(let name, _): names.insert(name)
                case .index(.literal(.string(let name), _), _): names.insert(name)
                case .index: break
                }
            }
            visit(traversal.steps)
        case .getAttribute(let base, _, _):
            visit(base)
        case .index(let base, let key, _):
            visit(base)
            visit(key)
        case .splat(let base, let steps, _):
            visit(base)
            visit(steps)
        case .tuple(let elements, _):
            for element in elements { visit(element) }
        case .object(let items, _):
            for item in items {
                visit(item.key)
                visit(item.value)
            }
        case .functionCall(_, let arguments, _, _):
            for argument in arguments { visit(argument) }
        case .unary(_, let operand, _):
            visit(operand)
        case .binary(_, let left, let right, _):
            visit(left)
            visit(right)
        case .conditional(let condition, let whenTrue, let whenFalse, _):
            visit(condition)
            visit(whenTrue)
            visit(whenFalse)
        case .forExpression(let forExpression):
            visit(forExpression.collection)
            let variables = [forExpression.keyVariable, forExpression.valueVariable].compactMap { $0 }
            bind(variables)
            if let key = forExpression.keyExpression { visit(key) }
            visit(forExpression.valueExpression)
            if let condition = forExpression.condition { visit(condition) }
            unbind(variables)
        case .parenthesized(let inner, _):
            visit(inner)
        }
    }

    private mutating func visit(_ steps: [TraversalStep]) {
        for step in steps {
            if case .index(let key, _) = step { visit(key) }
        }
    }

    private mutating func visit(_ parts: [TemplatePart]) {
        for part in parts {
            switch part {
            case .literal:
                continue
            case .interpolation(let expression):
                visit(expression)
            case .conditional(let condition, let whenTrue, let whenFalse, _):
                visit(condition)
                visit(whenTrue)
                visit(whenFalse)
            case .loop(let keyVariable, let valueVariable, let collection, let body, _):
                visit(collection)
                let variables = [keyVariable, valueVariable].compactMap { $0 }
                bind(variables)
                visit(body)
                unbind(variables)
            }
        }
    }

    private mutating func bind(_ variables: [String]) {
        for name in variables { bound[name, default: 0] += 1 }
    }

    private mutating func unbind(_ variables: [String]) {
        for name in variables { bound[name, default: 1] -= 1 }
    }
}
