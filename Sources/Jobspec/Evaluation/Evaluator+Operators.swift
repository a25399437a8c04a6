import ClusterModel

/// Unary and binary operators with HCL's conversions: arithmetic and ordering convert
/// numeric strings (`"1" + 1` is 2), `==` compares exactly (`"1" == 1` is false), and the
/// logical operators want bools. `&&` and `||` skip their right operand when the left one
/// decides, so `var.x != null && var.x.enabled` works.
extension Evaluator {
    mutating func evaluateUnary(_ operation: UnaryOperator, _ operand: Expression, span: SourceSpan)
        throws(EvaluationError) -> DynamicValue
    {
        let value = try evaluate(operand)
        switch operation {
        case .negate:
            return .number(-(try requireNumber(value, at: operand.span, role: "the operand of \"-\"")))
        case .not:
            return .bool(!(try requireBool(value, at: operand.span, role: "the operand of \"!\"")))
        }
    }

    mutating func evaluateBinary(_ operation: BinaryOperator, _ left: Expression, _ right: Expression, span: SourceSpan)
        throws(EvaluationError) -> DynamicValue
    {
        let symbol = operation.rawValue
        switch operation {
        case .and, .or:
            let leftFlag = try requireBool(try evaluate(left), at: left.span, role: "the left operand of \"\(symbol)\"")
            if operation == .and, !leftFlag { return .bool(false) }
            if operation == .or, leftFlag { return .bool(true) }
            return .bool(try requireBool(try evaluate(right), at: right.span, role: "the right operand of \"\(symbol)\""))
        case .equal, .notEqual:
            let leftValue = try evaluate(left)
            let rightValue = try evaluate(right)
            try chargeWeight(of: leftValue, at: span)
            let equal = leftValue == rightValue
            return .bool(operation == .equal ? equal : !equal)
        default:
            break
        }
        let leftValue = try evaluate(left)
        let rightValue = try evaluate(right)
        let a = try requireNumber(leftValue, at: left.span, role: "the left operand of \"\(symbol)\"")
        let b = try requireNumber(rightValue, at: right.span, role: "the right operand of \"\(symbol)\"")
        let result: Double
        switch operation {
        case .less: return .bool(a < b)
        case .lessOrEqual: return .bool(a <= b)
        case .greater: return .bool(a > b)
        case .greaterOrEqual: return .bool(a >= b)
        case .add: result = a + b
        case .subtract: result = a - b
        case .multiply: result = a * b
        case .divide:
            guard b != 0 else { throw EvaluationError("division by zero", at: right.span) }
            result = a / b
        case .modulo:
            guard b != 0 else { throw EvaluationError("modulo by zero", at: right.span) }
            result = a.truncatingRemainder(dividingBy: b)
        case .and, .or, .equal, .notEqual:
            return .null
        }
        guard result.isFinite else { throw EvaluationError("the result is too large to be a number", at: span) }
        return .number(result)
    }

    func requireNumber(_ value: DynamicValue, at span: SourceSpan, role: String) throws(EvaluationError) -> Double {
        guard let number = value.convertedToNumber else {
            throw EvaluationError("expected a number for \(role), got \(describe(value))", at: span)
        }
        return number
    }
}
