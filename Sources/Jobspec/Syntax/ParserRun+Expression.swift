import ClusterModel

/// Expressions, from the loosest binding (`? :`) to the tightest (terms and their
/// `.name`, `[key]` and splat steps).
extension ParserRun {
    mutating func parseExpression() throws(Failure) -> Expression {
        // Most values are one string or number: parse it as a term straight away, without
        // descending through the operator levels, and only then look for anything after it.
        let first = peek().kind
        let condition: Expression
        if first == .quotedString || first == .number || first == .openQuote || first == .openHeredoc {
            let term = try parseSteps(on: try parseTerm())
            let next = peek().kind
            if next.binaryOperator == nil, next != .question { return term }
            condition = try continueBinary(from: term, minimumPrecedence: 1)
        } else {
            condition = try parseBinary(minimumPrecedence: 1)
        }
        let question = peek()
        guard question.kind == .question else { return condition }
        advance()
        try deepen(at: question.span)
        let thenValue = try parseExpression()
        let colon = peek()
        guard colon.kind == .colon else {
            throw unexpected(colon, expected: "\":\" between the two results of the conditional")
        }
        advance()
        let elseValue = try parseExpression()
        nesting -= 1
        return .conditional(condition, thenValue, elseValue, condition.span.union(elseValue.span))
    }

    /// Precedence climbing; operators of equal precedence associate to the left. Recursion
    /// goes one level per precedence, so it is bounded by the six levels.
    private mutating func parseBinary(minimumPrecedence: Int) throws(Failure) -> Expression {
        try continueBinary(from: try parseUnary(), minimumPrecedence: minimumPrecedence)
    }

    /// The operators (if any) that follow an operand already parsed.
    private mutating func continueBinary(from operand: Expression, minimumPrecedence: Int) throws(Failure) -> Expression {
        var left = operand
        var chain = 0
        while true {
            let token = peek()
            guard let operation = token.kind.binaryOperator, operation.precedence >= minimumPrecedence else { break }
            advance()
            chain += 1
            try deepen(at: token.span)
            let right = try parseBinary(minimumPrecedence: operation.precedence + 1)
            left = .binary(operation, left, right, left.span.union(right.span))
        }
        nesting -= chain
        return left
    }

    /// `-x` and `!x`, collected in a loop so that a long run of them cannot recurse.
    /// A minus directly on a number becomes a negative number literal.
    private mutating func parseUnary() throws(Failure) -> Expression {
        let first = peek()
        guard first.kind == .minus || first.kind == .bang else { return try parsePostfix() }
        var operators: [Token] = []
        while true {
            let token = peek()
            guard token.kind == .minus || token.kind == .bang else { break }
            advance()
            operators.append(token)
            try deepen(at: token.span)
        }
        var operand = try parsePostfix()
        for token in operators.reversed() {
            let span = SourceSpan(start: token.start, end: operand.span.end)
            if token.kind == .minus, case .literal(.number(let value), _) = operand {
                operand = .literal(.number(-value), span)
            } else {
                operand = .unary(token.kind == .minus ? .negate : .not, operand, span)
            }
        }
        nesting -= operators.count
        return operand
    }

    // MARK: - Terms and traversals

    private mutating func parsePostfix() throws(Failure) -> Expression {
        let token = peek()
        guard token.kind == .identifier else {
            return try parseSteps(on: try parseTerm())
        }
        advance()
        if self.token(token, is: "true") { return try parseSteps(on: .literal(.bool(true), token.span)) }
        if self.token(token, is: "false") { return try parseSteps(on: .literal(.bool(false), token.span)) }
        if self.token(token, is: "null") { return try parseSteps(on: .literal(.null, token.span)) }
        if current.kind == .openParenthesis {
            return try parseSteps(on: try parseFunctionCall(name: token))
        }
        return try parseTraversal(root: token)
    }

    /// `root.a.b[0]["k"].1`: static steps gather into one `Traversal`; the first step that is
    /// not static (a computed index, a splat) hands over to `parseSteps`.
    private mutating func parseTraversal(root: Token) throws(Failure) -> Expression {
        var steps: [TraversalStep] = []
        while true {
            let token = peek()
            if token.kind == .dot {
                let next = peekSecond()
                if let step = takeDotStep(dot: token, next: next) {
                    steps.append(step)
                } else if next.kind == .star {
                    break
                } else {
                    advance()
                    throw unexpected(next, expected: "an attribute name after \".\"")
                }
            } else if token.kind == .openBracket {
                if peekSecond().kind == .star { break }
                let (key, span) = try parseBracketedKey()
                if case .literal = key {
                    steps.append(.index(key, span))
                } else {
                    let base = Expression.traversal(Traversal(root: name(of: root), rootSpan: root.span, steps: steps))
                    try deepen(at: span)
                    let indexed = Expression.index(base, key: key, SourceSpan(start: root.start, end: span.end))
                    let result = try parseSteps(on: indexed)
                    nesting -= 1
                    return result
                }
            } else {
                break
            }
        }
        return try parseSteps(on: .traversal(Traversal(root: name(of: root), rootSpan: root.span, steps: steps)))
    }

    /// `.name`, or the legacy index `.0`, when `dot` is followed by one; consumes both tokens.
    @inline(__always)
    private mutating func takeDotStep(dot: Token, next: Token) -> TraversalStep? {
        let span = SourceSpan(start: dot.start, end: next.end)
        switch next.kind {
        case .identifier:
            advance()
            advance()
            return .attribute(name(of: next), span)
        case .number:
            advance()
            advance()
            return .index(.literal(.number(numberValue(next)), next.span), span)
        default:
            return nil
        }
    }

    /// `[ key ]`, returning the key and the span of the brackets.
    private mutating func parseBracketedKey() throws(Failure) -> (Expression, SourceSpan) {
        let open = advance()
        let saved = ignoresNewlines
        ignoresNewlines = true
        let key = try parseExpression()
        let close = peek()
        guard close.kind == .closeBracket else {
            throw unexpected(close, expected: "\"]\" after the index")
        }
        advance()
        ignoresNewlines = saved
        return (key, SourceSpan(start: open.start, end: close.end))
    }

    /// Attribute access, indexing and splats applied to a computed value.
    @inline(__always)
    private mutating func parseSteps(on base: Expression) throws(Failure) -> Expression {
        let next = peek().kind
        guard next == .dot || next == .openBracket else { return base }
        return try parseStepsAfter(base)
    }

    private mutating func parseStepsAfter(_ base: Expression) throws(Failure) -> Expression {
        var expression = base
        var added = 0
        while true {
            let token = peek()
            if token.kind == .dot {
                let next = peekSecond()
                if next.kind == .identifier {
                    advance()
                    advance()
                    added += 1
                    try deepen(at: next.span)
                    expression = .getAttribute(expression, name: name(of: next), expression.span.union(next.span))
                } else if next.kind == .number {
                    advance()
                    advance()
                    added += 1
                    try deepen(at: next.span)
                    let key = Expression.literal(.number(numberValue(next)), next.span)
                    expression = .index(expression, key: key, expression.span.union(next.span))
                } else if next.kind == .star {
                    advance()
                    advance()
                    added += 1
                    try deepen(at: next.span)
                    let steps = try parseSplatSteps(attributesOnly: true)
                    let end = steps.last?.span.end ?? next.end
                    expression = .splat(expression, steps: steps, SourceSpan(start: expression.span.start, end: end))
                } else {
                    advance()
                    throw unexpected(next, expected: "an attribute name after \".\"")
                }
            } else if token.kind == .openBracket {
                added += 1
                try deepen(at: token.span)
                if peekSecond().kind == .star {
                    advance()
                    advance()
                    let close = peek()
                    guard close.kind == .closeBracket else { throw unexpected(close, expected: "\"]\" after \"[*\"") }
                    advance()
                    let steps = try parseSplatSteps(attributesOnly: false)
                    let end = steps.last?.span.end ?? close.end
                    expression = .splat(expression, steps: steps, SourceSpan(start: expression.span.start, end: end))
                } else {
                    let (key, span) = try parseBracketedKey()
                    expression = .index(expression, key: key, expression.span.union(span))
                }
            } else {
                break
            }
        }
        nesting -= added
        return expression
    }

    /// The steps a splat applies to each element: `.name` (and `.0`) after `.*`; also
    /// `[key]` after `[*]`. Another splat ends the list.
    private mutating func parseSplatSteps(attributesOnly: Bool) throws(Failure) -> [TraversalStep] {
        var steps: [TraversalStep] = []
        while true {
            let token = peek()
            if token.kind == .dot {
                if let step = takeDotStep(dot: token, next: peekSecond()) {
                    steps.append(step)
                } else {
                    break
                }
            } else if token.kind == .openBracket, !attributesOnly {
                if peekSecond().kind == .star { break }
                let (key, span) = try parseBracketedKey()
                steps.append(.index(key, span))
            } else {
                break
            }
        }
        return steps
    }

    private mutating func parseTerm() throws(Failure) -> Expression {
        let token = peek()
        switch token.kind {
        case .number:
            advance()
            return .literal(.number(numberValue(token)), token.span)
        case .quotedString:
            advance()
            return .literal(.string(plainString(token)), token.span)
        case .openQuote:
            return try parseQuotedTemplate()
        case .openHeredoc:
            return try parseHeredocTemplate()
        case .openParenthesis:
            advance()
            let saved = ignoresNewlines
            ignoresNewlines = true
            let inner = try parseExpression()
            let close = peek()
            guard close.kind == .closeParenthesis else {
                throw unexpected(close, expected: "\")\" to close the parenthesis")
            }
            advance()
            ignoresNewlines = saved
            return .parenthesized(inner, SourceSpan(start: token.start, end: close.end))
        case .openBracket:
            return try parseTuple()
        case .openBrace:
            return try parseObject()
        default:
            throw unexpected(token, expected: "an expression")
        }
    }

    // MARK: - Calls, tuples and objects

    private mutating func parseFunctionCall(name: Token) throws(Failure) -> Expression {
        advance()  // (
        let saved = ignoresNewlines
        ignoresNewlines = true
        let base = expressionScratch.count
        var expandFinal = false
        let functionName = self.name(of: name)
        while true {
            if peek().kind == .closeParenthesis { break }
            let argument = try parseExpression()
            expressionScratch.append(argument)
            var token = peek()
            if token.kind == .ellipsis {
                advance()
                expandFinal = true
                token = peek()
                if token.kind == .comma, peekSecond().kind == .closeParenthesis {
                    advance()
                    token = peek()
                }
                guard token.kind == .closeParenthesis else {
                    throw unexpected(token, expected: "\")\" after the expanded argument \"...\"")
                }
                break
            }
            if token.kind == .comma {
                advance()
            } else if token.kind != .closeParenthesis {
                throw unexpected(token, expected: "\",\" or \")\" in the arguments of \"\(functionName)\"")
            }
        }
        let close = advance()
        ignoresNewlines = saved
        return .functionCall(
            name: functionName, arguments: takeScratch(from: base), expandFinal: expandFinal,
            SourceSpan(start: name.start, end: close.end))
    }

    private mutating func parseTuple() throws(Failure) -> Expression {
        let open = advance()
        let saved = ignoresNewlines
        ignoresNewlines = true
        if startsForExpression() {
            let result = try parseForExpression(open: open, objectForm: false)
            ignoresNewlines = saved
            return result
        }
        let base = expressionScratch.count
        while true {
            if peek().kind == .closeBracket { break }
            let element = try parseExpression()
            expressionScratch.append(element)
            let token = peek()
            if token.kind == .comma {
                advance()
            } else if token.kind != .closeBracket {
                throw unexpected(token, expected: "\",\" or \"]\" after a list element")
            }
        }
        let close = advance()
        ignoresNewlines = saved
        return .tuple(takeScratch(from: base), SourceSpan(start: open.start, end: close.end))
    }

    /// `{ key = value, … }` with commas or newlines between items.
    private mutating func parseObject() throws(Failure) -> Expression {
        let open = advance()
        let saved = ignoresNewlines
        ignoresNewlines = true
        if startsForExpression() {
            let result = try parseForExpression(open: open, objectForm: true)
            ignoresNewlines = saved
            return result
        }
        ignoresNewlines = false
        var items: [ObjectItem] = []
        while true {
            while current.kind == .newline { advance() }
            if current.kind == .closeBrace { break }
            let key: Expression
            let first = current
            let second = first.kind == .identifier ? peekSecond() : first
            if first.kind == .identifier, second.kind == .equals || second.kind == .colon {
                advance()
                key = .literal(.string(name(of: first)), first.span)
            } else {
                let parsed = try parseExpression()
                if case .traversal(let traversal) = parsed, traversal.steps.isEmpty {
                    key = .literal(.string(traversal.root), traversal.rootSpan)
                } else {
                    key = parsed
                }
            }
            let separator = current
            guard separator.kind == .equals || separator.kind == .colon else {
                throw unexpected(separator, expected: "\"=\" after the object key")
            }
            advance()
            let value = try parseExpression()
            items.append(ObjectItem(key: key, value: value))
            let token = current
            if token.kind == .comma || token.kind == .newline {
                advance()
            } else if token.kind != .closeBrace {
                throw unexpected(token, expected: "\",\" or a newline after an object item")
            }
        }
        let close = advance()
        ignoresNewlines = saved
        return .object(items, SourceSpan(start: open.start, end: close.end))
    }

    // MARK: - for expressions

    /// `for` followed by a name; `[for]` alone is a tuple holding a variable named `for`.
    private mutating func startsForExpression() -> Bool {
        let token = peek()
        return token.kind == .identifier && self.token(token, is: "for") && peekSecond().kind == .identifier
    }

    /// `[for k, v in coll : value if cond]` and `{for k, v in coll : key => value... if cond}`;
    /// called with the opening bracket consumed and `for` next.
    private mutating func parseForExpression(open: Token, objectForm: Bool) throws(Failure) -> Expression {
        advance()  // for
        let (keyVariable, valueVariable, collection) = try parseForClause(in: "for expression")
        let colon = peek()
        guard colon.kind == .colon else {
            throw unexpected(colon, expected: "\":\" after the collection of the for expression")
        }
        advance()
        var keyExpression: Expression?
        if objectForm {
            keyExpression = try parseExpression()
            let arrow = peek()
            guard arrow.kind == .fatArrow else {
                throw unexpected(arrow, expected: "\"=>\" between the key and the value of the for expression")
            }
            advance()
        }
        let valueExpression = try parseExpression()
        var grouping = false
        if objectForm, peek().kind == .ellipsis {
            advance()
            grouping = true
        }
        var condition: Expression?
        let token = peek()
        if token.kind == .identifier, self.token(token, is: "if") {
            advance()
            condition = try parseExpression()
        }
        let close = peek()
        let closer: TokenKind = objectForm ? .closeBrace : .closeBracket
        guard close.kind == closer else {
            throw unexpected(close, expected: objectForm ? "\"}\" to end the for expression" : "\"]\" to end the for expression")
        }
        advance()
        return .forExpression(
            ForExpression(
                keyVariable: keyVariable, valueVariable: valueVariable, collection: collection,
                keyExpression: keyExpression, valueExpression: valueExpression, condition: condition,
                grouping: grouping, span: SourceSpan(start: open.start, end: close.end)))
    }

    /// `k, v in collection` (also used by `%{ for }`), with `for` already consumed.
    mutating func parseForClause(in construct: String) throws(Failure) -> (String?, String, Expression) {
        let first = peek()
        guard first.kind == .identifier else {
            throw unexpected(first, expected: "a variable name after \"for\"")
        }
        advance()
        var keyVariable: String?
        var valueVariable = name(of: first)
        if peek().kind == .comma {
            advance()
            let second = peek()
            guard second.kind == .identifier else {
                throw unexpected(second, expected: "a second variable name after \",\"")
            }
            advance()
            keyVariable = valueVariable
            valueVariable = name(of: second)
        }
        let keyword = peek()
        guard keyword.kind == .identifier, token(keyword, is: "in") else {
            throw unexpected(keyword, expected: "\"in\" after the variables of the \(construct)")
        }
        advance()
        let collection = try parseExpression()
        return (keyVariable, valueVariable, collection)
    }

    /// The expressions gathered on the scratch stack since `base`, as one exactly sized list.
    private mutating func takeScratch(from base: Int) -> [Expression] {
        Self.takeSuffix(of: &expressionScratch, from: base)
    }

    // MARK: - Numbers

    /// The value of a number token. Short integers are converted exactly by hand; anything
    /// else goes through the standard library, which rounds correctly and gives infinity
    /// rather than trapping on a huge literal.
    func numberValue(_ token: Token) -> Double {
        let length = token.end - token.start
        if token.flags & TokenFlags.fractional == 0, length <= 15 {
            var value = 0
            for index in token.start..<token.end {
                value = value &* 10 &+ Int(bytes[index] &- UInt8(ascii: "0"))
            }
            return Double(value)
        }
        return Double(text(of: token)) ?? .infinity
    }
}
