/// One pass of the parser over a file's bytes: the token cursor, the stack of open brackets,
/// the nesting budget and error recovery. The grammar lives in the extensions
/// (`+Body`, `+Expression`, `+Template`).
///
/// Errors are reported where they are found and then thrown as `Failure`, which carries
/// nothing: the body parser catches it and skips to the next line or closing brace at its
/// own level, using `openers` to know which brackets the abandoned item had opened.
struct ParserRun {
    struct Failure: Error {}

    let bytes: UnsafeBufferPointer<UInt8>
    let limits: ParseLimits
    var sink: DiagnosticSink
    var lexer: Lexer
    var strings: ParserStringTable

    /// The next unconsumed token, newlines included.
    private(set) var current: Token
    /// Tokens read past `current` for lookahead, oldest first.
    private var ahead: [Token] = []
    private var aheadIndex = 0
    private var aheadEnd = 0

    /// Newlines end attributes and separate object items, but mean nothing inside `( )`,
    /// `[ ]` and `${ }`; the constructs that care set this for their contents.
    var ignoresNewlines = false

    /// Every `{`, `[`, `(`, `${` and `%{` consumed and not yet closed.
    private(set) var openers: [Token] = []
    /// Depth that is not bracketed: operator chains, conditionals, unary operators,
    /// attribute and index chains on computed values. Together with `openers` it bounds the
    /// height of the tree (and so the recursion of everything that walks it later).
    var nesting = 0

    /// Items of the bodies and lists being parsed, innermost last; see `parseBodyItems`.
    /// (Optional so that finished lists can be moved out without reference counting.)
    var attributeScratch: [SyntaxAttribute?] = []
    /// Hashes of the names in `attributeScratch`, compared before the names themselves.
    var attributeNameHashes: [UInt64] = []
    var blockScratch: [SyntaxBlock?] = []
    var expressionScratch: [Expression?] = []
    var templateScratch: [TemplateItem?] = []

    /// Set when the nesting limit is passed or the diagnostics are full: from then on the
    /// token stream ends, so every loop and recursion unwinds at once.
    private(set) var aborted = false
    /// An unclosed construct was reported at the end of the file; the enclosing ones are not.
    var reportedUnclosedAtEnd = false

    init(bytes: UnsafeBufferPointer<UInt8>, limits: ParseLimits, sink: DiagnosticSink) {
        self.bytes = bytes
        self.limits = limits
        self.sink = sink
        self.lexer = Lexer(bytes: bytes, maximumDepth: limits.maximumDepth)
        self.strings = ParserStringTable(bytes: bytes)
        self.current = Token(.endOfFile, start: 0, end: 0)
        // Reading the first token can already fill the diagnostics (a leading comment full
        // of invalid bytes) and abort; the token read must not then replace the end of file.
        let first = readToken()
        self.current = aborted ? endOfFileToken : first
        if sink.diagnostics.count >= DiagnosticSink.maximumCount { abort() }
    }

    // MARK: - Token cursor

    @inline(__always)
    private mutating func readToken() -> Token {
        let token = lexer.next()
        if !lexer.problems.isEmpty { drainLexerProblems() }
        return token
    }

    private mutating func drainLexerProblems() {
        let problems = lexer.problems
        lexer.problems.removeAll(keepingCapacity: true)
        for problem in problems {
            report(problem.message, at: problem.span, hint: problem.hint)
        }
        if lexer.reportedUnterminatedAtEnd { reportedUnclosedAtEnd = true }
        if lexer.nestingExceeded {
            lexer.nestingAlreadyReported = true
            abort()
        }
    }

    var endOfFileToken: Token { Token(.endOfFile, start: bytes.count, end: bytes.count) }

    /// The next token that matters here: newlines are skipped where they mean nothing.
    @inline(__always)
    mutating func peek() -> Token {
        if ignoresNewlines, current.kind == .newline { skipNewlines() }
        return current
    }

    private mutating func skipNewlines() {
        while current.kind == .newline { moveToNextToken() }
    }

    /// The token after `peek()`, skipping newlines the same way.
    mutating func peekSecond() -> Token {
        _ = peek()
        var offset = 0
        while true {
            let token = lookahead(offset)
            if token.kind == .newline, ignoresNewlines {
                offset += 1
                continue
            }
            return token
        }
    }

    /// The token `offset + 1` places after `current`. The queue is a plain array used from
    /// `aheadIndex` to `aheadEnd`; it is rewound, not cleared, when it runs empty. A run of
    /// newlines is queued as one (blank lines mean nothing), so looking past a million of
    /// them costs no memory.
    private mutating func lookahead(_ offset: Int) -> Token {
        if aborted { return endOfFileToken }
        while aheadEnd - aheadIndex <= offset {
            let token = readToken()
            if aborted { return endOfFileToken }
            if token.kind == .newline, aheadEnd > aheadIndex, ahead[aheadEnd - 1].kind == .newline { continue }
            if aheadEnd < ahead.count {
                ahead[aheadEnd] = token
            } else {
                ahead.append(token)
            }
            aheadEnd += 1
        }
        return ahead[aheadIndex + offset]
    }

    /// Consumes `peek()` and returns it, keeping `openers` up to date.
    @inline(__always)
    @discardableResult
    mutating func advance() -> Token {
        let token = peek()
        consumeRaw()
        return token
    }

    @inline(__always)
    private mutating func consumeRaw() {
        let kind = current.kind
        if kind.rawValue >= TokenKind.openBrace.rawValue, kind.rawValue <= TokenKind.closeParenthesis.rawValue
            || kind == .templateInterpolation || kind == .templateDirective || kind == .templateSequenceEnd
        {
            trackBracket(current)
        } else if kind == .endOfFile {
            return
        }
        moveToNextToken()
    }

    private mutating func trackBracket(_ token: Token) {
        switch token.kind {
        case .openBrace, .openBracket, .openParenthesis, .templateInterpolation, .templateDirective:
            openers.append(token)
            if openers.count &+ nesting > limits.maximumDepth { reportTooDeep(at: token.span) }
        default:
            if !openers.isEmpty { openers.removeLast() }
        }
    }

    @inline(__always)
    private mutating func moveToNextToken() {
        if aheadIndex < aheadEnd {
            current = ahead[aheadIndex]
            aheadIndex += 1
            if aheadIndex == aheadEnd {
                aheadIndex = 0
                aheadEnd = 0
            }
        } else {
            current = readToken()
        }
        if aborted { current = endOfFileToken }
    }

    // MARK: - Limits

    private mutating func abort() {
        aborted = true
        current = endOfFileToken
        aheadIndex = 0
        aheadEnd = 0
    }

    mutating func reportTooDeep(at span: SourceSpan) {
        guard !aborted else { return }
        lexer.nestingAlreadyReported = true
        report("nesting is too deep (more than \(limits.maximumDepth) levels)", at: span)
        abort()
    }

    /// One more level of unbracketed nesting; reports and stops the parse past the limit.
    mutating func deepen(at span: SourceSpan) throws(Failure) {
        nesting &+= 1
        if openers.count &+ nesting > limits.maximumDepth {
            reportTooDeep(at: span)
            throw Failure()
        }
    }

    // MARK: - Diagnostics

    mutating func report(_ message: String, at span: SourceSpan, hint: String? = nil) {
        guard !aborted else { return }
        sink.error(message, at: span, hint: hint)
        if sink.diagnostics.count >= DiagnosticSink.maximumCount { abort() }
    }

    /// Reports `expected …, found …` (unless the lexer already explained the token) and
    /// returns the failure to throw. At the end of the file it names the construct left open.
    mutating func unexpected(_ token: Token, expected: String, opener: Token? = nil) -> Failure {
        switch token.kind {
        case .invalid:
            break  // the lexer said what is wrong with it
        case .endOfFile:
            if aborted || reportedUnclosedAtEnd { break }
            if let opener = openers.last ?? opener {
                reportUnclosed(opener)
            } else {
                report("expected \(expected), found \(describe(token))", at: token.span)
            }
        default:
            report("expected \(expected), found \(describe(token))", at: token.span)
        }
        return Failure()
    }

    mutating func reportUnclosed(_ opener: Token) {
        guard !reportedUnclosedAtEnd else { return }
        reportedUnclosedAtEnd = true
        let text: String
        switch opener.kind {
        case .templateInterpolation: text = "${"
        case .templateDirective: text = "%{"
        default: text = self.text(of: opener)
        }
        report("unclosed \"\(text)\" (opened here)", at: opener.span, hint: "the file ends before it is closed")
    }

    /// `"name"` for names, `"}"` for punctuation, `a newline` for the rest.
    func describe(_ token: Token) -> String {
        switch token.kind {
        case .identifier:
            let length = token.end - token.start
            let shown = length > 40 ? token.start + 40 : token.end
            return "\"\(String(decoding: UnsafeBufferPointer(rebasing: bytes[token.start..<shown]), as: UTF8.self))\""
                + (length > 40 ? "…" : "")
        case .number:
            return "the number \(text(of: token))"
        default:
            return token.kind.displayName
        }
    }

    // MARK: - Recovery

    /// Skips what is left of a broken body item: up to the newline that ends it, or to the
    /// `}` that closes the enclosing block (left for the caller), whichever comes first at
    /// the item's own bracket level `depth`. Brackets the item left open are forgotten.
    mutating func recover(toDepth depth: Int) {
        ignoresNewlines = false
        nesting = 0
        // Lists abandoned half-way leave their elements behind; no list is open at body level.
        expressionScratch.removeAll(keepingCapacity: true)
        templateScratch.removeAll(keepingCapacity: true)
        while !aborted {
            let token = current
            switch token.kind {
            case .endOfFile:
                truncateOpeners(to: depth)
                return
            case .newline:
                if openers.count <= depth {
                    truncateOpeners(to: depth)
                    return
                }
                consumeRaw()
            case .closeBrace:
                if !closeInnermost(.openBrace, above: depth) { return }
            case .closeBracket:
                if !closeInnermost(.openBracket, above: depth) { skipStray() }
            case .closeParenthesis:
                if !closeInnermost(.openParenthesis, above: depth) { skipStray() }
            default:
                consumeRaw()
            }
        }
    }

    /// Consumes a closer, first forgetting openers nested inside its partner (`[ … }`).
    /// False (nothing consumed, openers cut back to `depth`) when its partner is not above `depth`.
    private mutating func closeInnermost(_ kind: TokenKind, above depth: Int) -> Bool {
        var index = openers.count - 1
        while index >= depth, index >= 0 {
            if openers[index].kind == kind {
                truncateOpeners(to: index + 1)
                consumeRaw()
                return true
            }
            index -= 1
        }
        truncateOpeners(to: depth)
        return false
    }

    /// Consumes a closer that matches nothing without touching `openers`.
    private mutating func skipStray() {
        if current.kind != .endOfFile { moveToNextToken() }
    }

    private mutating func truncateOpeners(to count: Int) {
        Self.shrink(&openers, to: max(0, count))
    }

    // MARK: - Scratch stacks

    /// Removes the elements of `array` from `start` on and returns them as a new array of
    /// exactly that size. `take()` moves each element out and leaves nil, which costs
    /// nothing to remove: no reference counting, no copies.
    static func takeSuffix<Element>(of array: inout [Element?], from start: Int) -> [Element] {
        let count = array.count - start
        guard count > 0 else { return [] }
        var result: [Element] = []
        result.reserveCapacity(count)
        for index in start..<array.count {
            if let element = array[index].take() { result.append(element) }
        }
        shrink(&array, to: start)
        return result
    }

    /// Drops the elements from `count` on. The scratch stacks lose a few elements (nil or
    /// plain values) at the end of every body, and popping them is much cheaper than the
    /// general `removeSubrange`, which goes through range conversion and a memmove.
    @inline(__always)
    static func shrink<Element>(_ array: inout [Element], to count: Int) {
        while array.count > count { array.removeLast() }
    }

    // MARK: - Text

    /// A name's text, shared with earlier occurrences of the same name.
    @inline(__always)
    mutating func name(of token: Token) -> String {
        strings.string(from: token.start, to: token.end).0
    }

    func text(of token: Token) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[token.start..<token.end]), as: UTF8.self)
    }

    /// Whether a name token spells `word` exactly (for keywords such as `true` and `for`).
    func token(_ token: Token, is word: StaticString) -> Bool {
        let length = word.utf8CodeUnitCount
        guard token.end - token.start == length else { return false }
        let pointer = word.utf8Start
        for offset in 0..<length where bytes[token.start + offset] != pointer[offset] {
            return false
        }
        return true
    }
}
