/// Canonical formatting of an HCL file (`roost fmt`), in the style of `terraform fmt` and
/// `nomad fmt`: two-space indentation by bracket nesting, single spaces around operators
/// and `=`, the `=` of consecutive one-line attributes aligned, trailing comments aligned,
/// at most one blank line in a row, no trailing whitespace, one newline at the end.
///
/// It works on the token stream, not the syntax tree, so comments survive; quoted strings,
/// heredocs and block comments are copied byte for byte. Line breaks are kept where the
/// author put them (newlines are significant in HCL), so formatting cannot change what the
/// file means.
public enum Formatter {
    /// The formatted text, or nil when the file does not lex/parse (diagnostics in `sink`).
    public static func format(_ source: SourceFile, into sink: inout DiagnosticSink) -> String? {
        let errorsBefore = sink.diagnostics.count(where: { $0.severity == .error })
        var parser = Parser(source: source)
        _ = parser.parseFile(into: &sink)
        guard sink.diagnostics.count(where: { $0.severity == .error }) == errorsBefore else { return nil }
        return source.bytes.withUnsafeBufferPointer { buffer in
            let lines = Self.lines(of: buffer)
            return Self.render(lines, bytes: buffer)
        }
    }

    // MARK: - Chunks and lines

    /// Something printed as a unit: one token, or a whole quoted string or heredoc.
    struct Chunk {
        var kind: TokenKind
        var start: Int
        var end: Int
    }

    /// The chunks between two newlines of the file (a heredoc counts as part of the line
    /// that opens it).
    struct Line {
        var chunks: [Chunk] = []
    }

    static func lines(of bytes: UnsafeBufferPointer<UInt8>) -> [Line] {
        // The file has parsed, so its nesting is within the limits already.
        var lexer = Lexer(bytes: bytes, emitsComments: true, maximumDepth: Int.max)
        var lines: [Line] = []
        var line = Line()
        while true {
            let token = lexer.next()
            switch token.kind {
            case .endOfFile:
                lines.append(line)
                return lines
            case .newline:
                lines.append(line)
                line = Line()
            case .openQuote, .openHeredoc:
                // The whole string, interpolations included, up to its own closing token.
                var depth = 1
                var end = token.end
                while depth > 0 {
                    let inner = lexer.next()
                    switch inner.kind {
                    case .openQuote, .openHeredoc: depth += 1
                    case .closeQuote, .closeHeredoc: depth -= 1
                    case .endOfFile: depth = 0
                    default: break
                    }
                    end = max(end, inner.end)
                }
                line.chunks.append(Chunk(kind: token.kind, start: token.start, end: end))
            default:
                line.chunks.append(Chunk(kind: token.kind, start: token.start, end: token.end))
            }
        }
    }

    // MARK: - Rendering

    /// A line laid out in cells: what precedes an aligned `=`, the `=` and its value, and a
    /// trailing comment, so that runs of lines can be aligned cell by cell.
    private struct Cells {
        var indent: Int
        var lead: [UInt8] = []
        var assign: [UInt8]?
        var comment: [UInt8]?
        var isBlank = false
        /// A cell holds a line break (a heredoc, a string spanning lines): no comment alignment.
        var spansLines = false
    }

    static func render(_ lines: [Line], bytes: UnsafeBufferPointer<UInt8>) -> String {
        var cells: [Cells] = []
        var indent = 0
        for line in lines {
            guard let first = line.chunks.first else {
                cells.append(Cells(indent: 0, isBlank: true))
                continue
            }
            var net = 0
            for chunk in line.chunks { net += bracketChange(chunk.kind) }
            let startsWithCloser = bracketChange(first.kind) < 0
            var cell = Cells(indent: max(0, indent - (startsWithCloser ? 1 : 0)))
            if net > 0 {
                indent += 1
            } else if net < 0 {
                indent = max(0, indent - 1)
            }

            var content = line.chunks
            if content.count > 1, let last = content.last, last.kind == .comment {
                cell.comment = text(of: last, in: bytes, trimmingTrailingSpace: true)
                content.removeLast()
            }
            // An attribute whose value ends on this line gets an assignment cell.
            var assignIndex: Int?
            if let equals = content.firstIndex(where: { $0.kind == .equals }), equals > 0 {
                var before = 0
                for chunk in content[..<equals] { before += bracketChange(chunk.kind) }
                var after = 0
                for chunk in content[equals...] { after += bracketChange(chunk.kind) }
                if before == 0, after == 0 { assignIndex = equals }
            }
            if let assignIndex {
                cell.lead = join(content[..<assignIndex], bytes: bytes)
                cell.assign = join(content[assignIndex...], bytes: bytes)
            } else {
                cell.lead = join(content[...], bytes: bytes)
            }
            cell.spansLines = cell.lead.contains(0x0A) || (cell.assign?.contains(0x0A) ?? false)
            cells.append(cell)
        }
        alignAssignments(&cells)
        return output(cells)
    }

    /// Pads the names of consecutive one-line attributes so their `=` line up.
    private static func alignAssignments(_ cells: inout [Cells]) {
        var runStart = 0
        while runStart < cells.count {
            guard cells[runStart].assign != nil else {
                runStart += 1
                continue
            }
            var runEnd = runStart
            var widest = 0
            while runEnd < cells.count, cells[runEnd].assign != nil, cells[runEnd].indent == cells[runStart].indent {
                widest = max(widest, width(cells[runEnd].lead))
                runEnd += 1
            }
            for index in runStart..<runEnd {
                let padding = widest - width(cells[index].lead)
                cells[index].lead += [UInt8](repeating: 0x20, count: padding)
            }
            runStart = runEnd
        }
    }

    private static func output(_ cells: [Cells]) -> String {
        // Lay out everything but trailing comments, then align the comments of consecutive lines.
        var bodies: [[UInt8]] = []
        for cell in cells {
            var body = [UInt8](repeating: 0x20, count: cell.isBlank ? 0 : cell.indent * 2)
            body += cell.lead
            if let assign = cell.assign {
                if !cell.lead.isEmpty { body.append(0x20) }
                body += assign
            }
            bodies.append(body)
        }
        var index = 0
        while index < cells.count {
            guard cells[index].comment != nil, !cells[index].spansLines else {
                index += 1
                continue
            }
            var end = index
            var widest = 0
            while end < cells.count, cells[end].comment != nil, !cells[end].spansLines {
                widest = max(widest, width(bodies[end]))
                end += 1
            }
            for line in index..<end {
                if let comment = cells[line].comment {
                    let padding = widest - width(bodies[line]) + 1
                    bodies[line] += [UInt8](repeating: 0x20, count: padding) + comment
                }
            }
            index = end
        }
        for (line, cell) in cells.enumerated() where cell.spansLines {
            if let comment = cell.comment { bodies[line] += [0x20] + comment }
        }

        var result: [UInt8] = []
        var pendingBlank = false
        for (line, cell) in cells.enumerated() {
            if cell.isBlank {
                pendingBlank = !result.isEmpty
                continue
            }
            if pendingBlank { result.append(0x0A) }
            pendingBlank = false
            result += bodies[line]
            result.append(0x0A)
        }
        return String(decoding: result, as: UTF8.self)
    }

    // MARK: - Spacing

    private static func join(_ chunks: ArraySlice<Chunk>, bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        var previous: Chunk?
        var beforePrevious: Chunk?
        for chunk in chunks {
            if let previous, spaced(previous, chunk, after: beforePrevious, bytes: bytes) {
                result.append(0x20)
            }
            result += text(of: chunk, in: bytes, trimmingTrailingSpace: chunk.kind == .comment)
            beforePrevious = previous
            previous = chunk
        }
        return result
    }

    /// Whether a space separates `left` and `right` (`before` precedes `left`).
    private static func spaced(_ left: Chunk, _ right: Chunk, after before: Chunk?, bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        switch right.kind {
        case .comma, .dot, .closeParenthesis, .closeBracket:
            return false
        case .ellipsis:
            return false
        case .comment:
            return true
        default:
            break
        }
        switch left.kind {
        case .openParenthesis, .openBracket, .dot:
            return false
        case .bang:
            return false
        case .minus:
            return !isUnary(minusAfter: before)
        case .openBrace:
            return right.kind != .closeBrace
        default:
            break
        }
        switch right.kind {
        case .openParenthesis, .openBracket:
            // A call or an index follows its target directly; `in [..]`, `if (..)` do not.
            if left.kind == .identifier {
                return isKeyword(left, bytes: bytes)
            }
            return !(left.kind == .closeBracket || left.kind == .closeParenthesis || left.kind == .openQuote
                || left.kind == .quotedString)
        case .star:
            // `[*]` and `.*` are splats; otherwise `*` is multiplication.
            return true
        default:
            return true
        }
    }

    /// A `-` is unary at the start, after an operator or an opening bracket or separator.
    private static func isUnary(minusAfter before: Chunk?) -> Bool {
        guard let before else { return true }
        switch before.kind {
        case .identifier, .number, .quotedString, .openQuote, .openHeredoc, .closeParenthesis, .closeBracket,
            .closeBrace:
            return false
        default:
            return true
        }
    }

    private static func isKeyword(_ chunk: Chunk, bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let word = Array(bytes[chunk.start..<chunk.end])
        return word == Array("in".utf8) || word == Array("if".utf8) || word == Array("for".utf8)
    }

    private static func bracketChange(_ kind: TokenKind) -> Int {
        switch kind {
        case .openBrace, .openBracket, .openParenthesis: 1
        case .closeBrace, .closeBracket, .closeParenthesis: -1
        default: 0
        }
    }

    private static func text(of chunk: Chunk, in bytes: UnsafeBufferPointer<UInt8>, trimmingTrailingSpace: Bool) -> [UInt8] {
        var end = chunk.end
        if trimmingTrailingSpace {
            // Carriage returns too: the lexer drops only the one of a CRLF line ending.
            while end > chunk.start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 || bytes[end - 1] == 0x0D {
                end -= 1
            }
        }
        return Array(bytes[chunk.start..<end])
    }

    /// Display width of a cell: Unicode scalars, not bytes, so `é` counts once.
    private static func width(_ text: [UInt8]) -> Int {
        var count = 0
        for byte in text where byte & 0xC0 != 0x80 { count += 1 }
        return count
    }
}
