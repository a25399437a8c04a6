import ClusterModel

/// Quoted strings and heredocs: literal text, `${ … }` interpolations and `%{ … }`
/// directives. The parts are first collected flat, then heredoc indentation and `~` strip
/// markers are applied to the literal text, then `if`/`for` directives are nested with an
/// explicit stack (no recursion, whatever the file holds).
extension ParserRun {
    enum TemplateItem {
        case literal(String)
        case interpolation(Expression, stripBefore: Bool, stripAfter: Bool)
        case directive(TemplateDirective, stripBefore: Bool, stripAfter: Bool, SourceSpan)

        var stripsBefore: Bool {
            switch self {
            case .literal: false
            case .interpolation(_, let strip, _), .directive(_, let strip, _, _): strip
            }
        }

        var stripsAfter: Bool {
            switch self {
            case .literal: false
            case .interpolation(_, _, let strip), .directive(_, _, let strip, _): strip
            }
        }
    }

    enum TemplateDirective {
        case ifStart(Expression)
        case elseBranch
        case endIf
        case forStart(keyVariable: String?, valueVariable: String, collection: Expression)
        case endFor
    }

    mutating func parseQuotedTemplate() throws(Failure) -> Expression {
        let open = advance()
        let first = current
        // Most strings are plain text: no item list, no copying.
        if first.kind == .closeQuote {
            advance()
            return .literal(.string(""), SourceSpan(start: open.start, end: first.end))
        }
        let base = templateScratch.count
        if first.kind == .templateLiteral {
            advance()
            let text = decodeLiteral(first, quoted: true)
            let close = current
            if close.kind == .closeQuote {
                advance()
                return .literal(.string(text), SourceSpan(start: open.start, end: close.end))
            }
            templateScratch.append(.literal(text))
        }
        try parseTemplateItems(terminator: .closeQuote, quoted: true)
        let close = advance()
        return buildTemplate(from: base, span: SourceSpan(start: open.start, end: close.end), flush: false)
    }

    mutating func parseHeredocTemplate() throws(Failure) -> Expression {
        let open = advance()
        let base = templateScratch.count
        try parseTemplateItems(terminator: .closeHeredoc, quoted: false)
        let close = advance()
        let flush = open.flags & TokenFlags.flush != 0
        return buildTemplate(from: base, span: SourceSpan(start: open.start, end: close.end), flush: flush)
    }

    /// Items up to the terminator (left for the caller), pushed on `templateScratch`.
    private mutating func parseTemplateItems(terminator: TokenKind, quoted: Bool) throws(Failure) {
        while true {
            let token = current
            if token.kind == terminator { return }
            switch token.kind {
            case .templateLiteral:
                advance()
                let text = decodeLiteral(token, quoted: quoted)
                templateScratch.append(.literal(text))
            case .templateInterpolation:
                advance()
                let saved = ignoresNewlines
                ignoresNewlines = true
                let expression = try parseExpression()
                let end = peek()
                guard end.kind == .templateSequenceEnd else {
                    throw unexpected(end, expected: "\"}\" to end the interpolation")
                }
                advance()
                ignoresNewlines = saved
                templateScratch.append(
                    .interpolation(
                        expression, stripBefore: token.flags & TokenFlags.strip != 0,
                        stripAfter: end.flags & TokenFlags.strip != 0))
            case .templateDirective:
                advance()
                let saved = ignoresNewlines
                ignoresNewlines = true
                let directive = try parseDirective()
                let end = peek()
                guard end.kind == .templateSequenceEnd else {
                    throw unexpected(end, expected: "\"}\" to end the directive")
                }
                advance()
                ignoresNewlines = saved
                templateScratch.append(
                    .directive(
                        directive, stripBefore: token.flags & TokenFlags.strip != 0,
                        stripAfter: end.flags & TokenFlags.strip != 0, SourceSpan(start: token.start, end: end.end)))
            default:
                throw unexpected(token, expected: quoted ? "the end of the string" : "the end of the heredoc")
            }
        }
    }

    private mutating func parseDirective() throws(Failure) -> TemplateDirective {
        let keyword = peek()
        let expected = "\"if\", \"else\", \"endif\", \"for\" or \"endfor\" after \"%{\""
        guard keyword.kind == .identifier else { throw unexpected(keyword, expected: expected) }
        advance()
        if token(keyword, is: "if") { return .ifStart(try parseExpression()) }
        if token(keyword, is: "else") { return .elseBranch }
        if token(keyword, is: "endif") { return .endIf }
        if token(keyword, is: "endfor") { return .endFor }
        if token(keyword, is: "for") {
            let (keyVariable, valueVariable, collection) = try parseForClause(in: "%{ for } directive")
            return .forStart(keyVariable: keyVariable, valueVariable: valueVariable, collection: collection)
        }
        report("expected \(expected), found \(describe(keyword))", at: keyword.span)
        throw Failure()
    }

    // MARK: - Building

    /// The template made of the items on `templateScratch` from `base`, which it removes.
    private mutating func buildTemplate(from base: Int, span: SourceSpan, flush: Bool) -> Expression {
        if !flush, let simple = buildPlainTemplate(from: base, span: span) { return simple }
        var items = Self.takeSuffix(of: &templateScratch, from: base)
        if flush { Self.removeCommonIndentation(&items) }
        var onlyText = true
        var hasDirectives = false
        var strips = false
        for item in items {
            switch item {
            case .literal: continue
            case .interpolation(_, let before, let after):
                onlyText = false
                strips = strips || before || after
            case .directive:
                onlyText = false
                hasDirectives = true
            }
        }
        if hasDirectives || strips { Self.applyStripMarkers(&items) }
        if onlyText {
            var text = ""
            for case .literal(let part) in items { text += part }
            return .literal(.string(text), span)
        }
        guard hasDirectives else {
            var parts: [TemplatePart] = []
            parts.reserveCapacity(items.count)
            for item in items {
                switch item {
                case .literal(let text): if !text.isEmpty { parts.append(.literal(text)) }
                case .interpolation(let expression, _, _): parts.append(.interpolation(expression))
                case .directive: break
                }
            }
            return .template(TemplateExpression(parts: parts, span: span))
        }
        return .template(TemplateExpression(parts: nestDirectives(items), span: span))
    }

    /// Text and interpolations without directives or strip markers (nearly every template),
    /// built straight from the scratch stack: no array of items of its own to allocate and
    /// free. nil, with the stack untouched, for anything else.
    private mutating func buildPlainTemplate(from base: Int, span: SourceSpan) -> Expression? {
        var onlyText = true
        for index in base..<templateScratch.count {
            switch templateScratch[index] {
            case .literal?, nil: continue
            case .interpolation(_, let before, let after)?:
                if before || after { return nil }
                onlyText = false
            case .directive?: return nil
            }
        }
        defer { Self.shrink(&templateScratch, to: base) }
        if onlyText {
            var text = ""
            for index in base..<templateScratch.count {
                if case .literal(let part)? = templateScratch[index].take() { text += part }
            }
            return .literal(.string(text), span)
        }
        var parts: [TemplatePart] = []
        parts.reserveCapacity(templateScratch.count - base)
        for index in base..<templateScratch.count {
            switch templateScratch[index].take() {
            case .literal(let text)?: if !text.isEmpty { parts.append(.literal(text)) }
            case .interpolation(let expression, _, _)?: parts.append(.interpolation(expression))
            case .directive?, nil: break
            }
        }
        return .template(TemplateExpression(parts: parts, span: span))
    }

    private struct OpenDirective {
        var directive: TemplateDirective
        var span: SourceSpan
        var body: [TemplatePart] = []
        var otherwise: [TemplatePart] = []
        var inElse = false

        var isIf: Bool {
            if case .ifStart = directive { return true }
            return false
        }
    }

    /// Turns the flat `%{ if }…%{ else }…%{ endif }` and `%{ for }…%{ endfor }` runs into
    /// nested parts. Unmatched directives are reported and dropped.
    private mutating func nestDirectives(_ items: [TemplateItem]) -> [TemplatePart] {
        var parts: [TemplatePart] = []
        var stack: [OpenDirective] = []

        func append(_ part: TemplatePart, _ parts: inout [TemplatePart], _ stack: inout [OpenDirective]) {
            guard !stack.isEmpty else {
                parts.append(part)
                return
            }
            if stack[stack.count - 1].inElse {
                stack[stack.count - 1].otherwise.append(part)
            } else {
                stack[stack.count - 1].body.append(part)
            }
        }

        for item in items {
            switch item {
            case .literal(let text):
                if !text.isEmpty { append(.literal(text), &parts, &stack) }
            case .interpolation(let expression, _, _):
                append(.interpolation(expression), &parts, &stack)
            case .directive(let directive, _, _, let span):
                switch directive {
                case .ifStart, .forStart:
                    if openers.count &+ nesting &+ stack.count >= limits.maximumDepth {
                        reportTooDeep(at: span)
                        return parts
                    }
                    stack.append(OpenDirective(directive: directive, span: span))
                case .elseBranch:
                    guard let top = stack.last, top.isIf, !top.inElse else {
                        report("\"%{ else }\" without a matching \"%{ if }\"", at: span)
                        continue
                    }
                    stack[stack.count - 1].inElse = true
                case .endIf, .endFor:
                    let closesIf: Bool
                    if case .endIf = directive { closesIf = true } else { closesIf = false }
                    guard let top = stack.last, top.isIf == closesIf else {
                        let name = closesIf ? "endif" : "endfor"
                        let opener = closesIf ? "if" : "for"
                        report("\"%{ \(name) }\" without a matching \"%{ \(opener) }\"", at: span)
                        continue
                    }
                    stack.removeLast()
                    let whole = top.span.union(span)
                    let part: TemplatePart
                    switch top.directive {
                    case .ifStart(let condition):
                        part = .conditional(condition: condition, then: top.body, otherwise: top.otherwise, whole)
                    case .forStart(let keyVariable, let valueVariable, let collection):
                        part = .loop(
                            keyVariable: keyVariable, valueVariable: valueVariable, collection: collection,
                            body: top.body, whole)
                    default:
                        continue
                    }
                    append(part, &parts, &stack)
                }
            }
        }
        if let unclosed = stack.last {
            let (opener, closer) = unclosed.isIf ? ("if", "endif") : ("for", "endfor")
            report("\"%{ \(opener) }\" is not closed by \"%{ \(closer) }\"", at: unclosed.span)
        }
        return parts
    }

    /// `${~` and `%{~` trim the whitespace (newlines included) at the end of the literal
    /// before them; `~}` trims it at the start of the literal after them.
    private static func applyStripMarkers(_ items: inout [TemplateItem]) {
        for index in items.indices {
            let item = items[index]
            if item.stripsBefore, index > 0, case .literal(let text) = items[index - 1] {
                items[index - 1] = .literal(trimmingWhitespace(text, atStart: false))
            }
            if item.stripsAfter, index + 1 < items.count, case .literal(let text) = items[index + 1] {
                items[index + 1] = .literal(trimmingWhitespace(text, atStart: true))
            }
        }
    }

    private static func isTemplateWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func trimmingWhitespace(_ text: String, atStart: Bool) -> String {
        let bytes = Array(text.utf8)
        var start = 0
        var end = bytes.count
        if atStart {
            while start < end, isTemplateWhitespace(bytes[start]) { start += 1 }
        } else {
            while end > start, isTemplateWhitespace(bytes[end - 1]) { end -= 1 }
        }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// `<<-` heredocs: every line loses the indentation all its non-blank lines share, so the
    /// text can be indented with the file. A line that begins with `${` has no indentation.
    static func removeCommonIndentation(_ items: inout [TemplateItem]) {
        let texts: [[UInt8]?] = items.map { item in
            if case .literal(let text) = item { return Array(text.utf8) }
            return nil
        }
        var minimum = Int.max
        var atLineStart = true
        for index in texts.indices {
            guard let text = texts[index] else {
                if atLineStart { minimum = 0 }
                atLineStart = false
                continue
            }
            var offset = 0
            while offset < text.count {
                if atLineStart {
                    var end = offset
                    while end < text.count, text[end] == 0x20 || text[end] == 0x09 { end += 1 }
                    if end == text.count {
                        // Indentation up to an interpolation or directive: a real line.
                        if index + 1 < texts.count { minimum = min(minimum, end - offset) }
                    } else if text[end] != 0x0A, !(text[end] == 0x0D && end + 1 < text.count && text[end + 1] == 0x0A) {
                        minimum = min(minimum, end - offset)
                    }
                    atLineStart = false
                    offset = end
                    continue
                }
                if text[offset] == 0x0A { atLineStart = true }
                offset += 1
            }
        }
        guard minimum != Int.max, minimum > 0 else { return }
        atLineStart = true
        for index in texts.indices {
            guard let text = texts[index] else {
                atLineStart = false
                continue
            }
            var output: [UInt8] = []
            output.reserveCapacity(text.count)
            var offset = 0
            while offset < text.count {
                if atLineStart {
                    var removed = 0
                    while removed < minimum, offset < text.count, text[offset] == 0x20 || text[offset] == 0x09 {
                        offset += 1
                        removed += 1
                    }
                    atLineStart = false
                    continue
                }
                let byte = text[offset]
                output.append(byte)
                offset += 1
                if byte == 0x0A { atLineStart = true }
            }
            items[index] = .literal(String(decoding: output, as: UTF8.self))
        }
    }

    // MARK: - Literal text

    /// The text of a `quotedString` token, without its quotes.
    mutating func plainString(_ token: Token) -> String {
        decodeLiteral(Token(.templateLiteral, start: token.start + 1, end: token.end - 1, flags: token.flags), quoted: true)
    }

    /// The text of a literal token: `$${` and `%%{` become `${` and `%{`; in quoted strings
    /// the backslash escapes are decoded too (heredocs have none).
    mutating func decodeLiteral(_ token: Token, quoted: Bool) -> String {
        guard token.flags & TokenFlags.needsDecoding != 0 else {
            return strings.string(from: token.start, to: token.end).0
        }
        let slice = UnsafeBufferPointer(rebasing: bytes[token.start..<token.end])
        var output: [UInt8] = []
        output.reserveCapacity(slice.count)
        var index = token.start
        let end = token.end
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "$") || byte == UInt8(ascii: "%"), index + 2 < end, bytes[index + 1] == byte,
                bytes[index + 2] == UInt8(ascii: "{")
            {
                output.append(byte)
                output.append(UInt8(ascii: "{"))
                index += 3
                continue
            }
            guard quoted, byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            index = decodeEscape(at: index, end: end, into: &output)
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes the escape whose backslash is at `start`, returning where the text continues.
    private mutating func decodeEscape(at start: Int, end: Int, into output: inout [UInt8]) -> Int {
        let next: UInt8 = start + 1 < end ? bytes[start + 1] : 0
        switch next {
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let digits = bytes[start + 1] == UInt8(ascii: "u") ? 4 : 8
            var value: UInt32 = 0
            var index = start + 2
            while index < end, index < start + 2 + digits, let digit = Self.hexValue(bytes[index]) {
                value = value << 4 | digit
                index += 1
            }
            let span = SourceSpan(start: start, end: index)
            guard index == start + 2 + digits else {
                report(
                    "invalid Unicode escape: \"\\\(digits == 4 ? "u" : "U")\" needs \(digits) hexadecimal digits", at: span)
                output.append(contentsOf: bytes[start..<index])
                return index
            }
            guard let scalar = Unicode.Scalar(value) else {
                report("invalid Unicode escape: U+\(String(value, radix: 16, uppercase: true)) is not a character", at: span)
                return index
            }
            output.append(contentsOf: String(Character(scalar)).utf8)
            return index
        default:
            guard start + 1 < end else {
                // `"\${x}"`: the backslash escapes nothing that HCL knows.
                report(
                    "invalid escape sequence: a backslash before \"${\" or \"%{\" escapes nothing",
                    at: SourceSpan(start: start, end: start + 1), hint: "write $${ for a literal ${ and %%{ for %{")
                output.append(UInt8(ascii: "\\"))
                return start + 1
            }
            let length = max(1, Lexer.utf8SequenceLength(bytes, at: start + 1))
            let shown = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<min(end, start + 1 + length)]), as: UTF8.self)
            report(
                "invalid escape sequence \"\(shown)\"", at: SourceSpan(start: start, end: min(end, start + 1 + length)),
                hint: "the escapes are \\n \\r \\t \\\" \\\\ \\uNNNN and \\UNNNNNNNN; write \\\\ for a backslash")
            output.append(contentsOf: bytes[start..<min(end, start + 1 + length)])
            return min(end, start + 1 + length)
        }
        return start + 2
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
