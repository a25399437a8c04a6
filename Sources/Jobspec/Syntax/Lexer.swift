/// Turns the bytes of a file into tokens, one at a time, as the parser pulls them.
///
/// HCL's lexical structure depends on context: inside a quoted string or heredoc the text is
/// literal until `${` or `%{`, and inside those sequences it is code again until the `}` that
/// matches. The lexer follows this with a stack of frames, so it never needs the parser's
/// help and the token stream is the same whether the parser or the formatter reads it.
///
/// Problems (invalid characters, invalid UTF-8, unterminated strings) are queued in
/// `problems` for the reader to report, and the lexer recovers by making up the token it
/// expected, so one mistake does not hide the rest of the file.
struct Lexer {
    struct Problem {
        var message: String
        var span: SourceSpan
        var hint: String?
    }

    private enum Mode: UInt8 {
        case code
        case quoted
        case heredoc
    }

    private struct Frame {
        var mode: Mode
        /// Code frames: open `{` not yet closed, so the `}` ending `${…}` can be told apart.
        var braceDepth: Int = 0
        /// Quoted and heredoc frames: where the opener starts, for "unterminated" messages.
        var openerStart: Int = 0
        /// Heredoc frames: the marker's bytes.
        var markerStart: Int = 0
        var markerEnd: Int = 0
        /// Heredoc frames: the next byte begins a line, where the closing marker may be.
        var atLineStart: Bool = false
    }

    let bytes: UnsafeBufferPointer<UInt8>
    /// Comments are needed by the formatter only; the parser is faster without them.
    let emitsComments: Bool
    /// The nesting limit the parser enforces. Each level can open a string and a sequence,
    /// so past twice this many frames the lexer stops: a hostile file cannot make its stack
    /// grow without bound even where the parser only skips tokens.
    let maximumDepth: Int
    private let maximumFrames: Int

    private(set) var position: Int
    private var mode: Mode = .code
    /// Frames entered by `"`, `<<EOF` and `${`; empty at the top level of the file.
    private var frames: [Frame] = []
    private var previousKind: TokenKind = .newline
    private var finished = false

    var problems: [Problem] = []
    /// Set once the lexer gave up because of nesting; the parser then reports nothing more about it.
    private(set) var nestingExceeded = false
    /// The parser sets this after reporting excessive nesting itself.
    var nestingAlreadyReported = false
    /// A string, heredoc or comment ran to the end of the file and was reported as such;
    /// the blocks around it are then not reported as unclosed too.
    private(set) var reportedUnterminatedAtEnd = false
    private var problemCount = 0

    init(bytes: UnsafeBufferPointer<UInt8>, emitsComments: Bool = false, maximumDepth: Int = ParseLimits.default.maximumDepth) {
        self.bytes = bytes
        self.emitsComments = emitsComments
        self.maximumDepth = maximumDepth
        self.maximumFrames = min(max(8, maximumDepth), Int.max / 4) * 2 + 8
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            start = 3  // a byte order mark says nothing in UTF-8
        }
        self.position = start
    }

    @inline(__always)
    mutating func next() -> Token {
        if finished { return Token(.endOfFile, start: bytes.count, end: bytes.count) }
        let token: Token
        switch mode {
        case .code: token = lexCode()
        case .quoted: token = lexQuoted()
        case .heredoc: token = lexHeredoc()
        }
        if token.kind != .newline, token.kind != .comment {
            previousKind = token.kind
        }
        return token
    }

    // MARK: - Problems

    private mutating func problem(_ message: String, _ start: Int, _ end: Int, hint: String? = nil) {
        // The parser stops at a fixed number of diagnostics, so more would only cost memory.
        guard problemCount < DiagnosticSink.maximumCount else { return }
        problemCount += 1
        problems.append(Problem(message: message, span: SourceSpan(start: start, end: end), hint: hint))
    }

    // MARK: - Frames

    private mutating func push(_ frame: Frame) -> Bool {
        if frames.count >= maximumFrames {
            if !nestingAlreadyReported {
                problem("nesting is too deep (more than \(maximumDepth) levels)", position, position)
            }
            nestingExceeded = true
            finished = true
            return false
        }
        frames.append(frame)
        mode = frame.mode
        return true
    }

    private mutating func pop() {
        if !frames.isEmpty { frames.removeLast() }
        mode = frames.last?.mode ?? .code
    }

    // MARK: - Code

    private mutating func lexCode() -> Token {
        let count = bytes.count
        var index = position
        var byte: UInt8 = 0
        // Whitespace, and comments unless they are wanted, in a loop rather than by recursion:
        // a line of a million `/**/` must not exhaust the stack.
        while index < count {
            byte = bytes[index]
            if byte == 0x20 {
                index += Self.spaceRunLength(bytes, at: index)
                continue
            }
            if byte == 0x09 || byte == 0x0D {
                index += 1
                continue
            }
            if emitsComments { break }
            if byte == UInt8(ascii: "#") {
                index = lineCommentEnd(from: index)
            } else if byte == UInt8(ascii: "/"), peekByte(index + 1) == UInt8(ascii: "/") {
                index = lineCommentEnd(from: index)
            } else if byte == UInt8(ascii: "/"), peekByte(index + 1) == UInt8(ascii: "*") {
                index = blockCommentEnd(from: index)
            } else {
                break
            }
        }
        guard index < count else {
            // Inside `"${x` the parser reports the unclosed sequence; the file simply ends.
            position = count
            finished = true
            return Token(.endOfFile, start: count, end: count)
        }
        let start = index
        switch byte {
        case UInt8(ascii: "\n"):
            position = start + 1
            return Token(.newline, start: start, end: start + 1)
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
            position = scanIdentifier(from: start + 1)
            return Token(.identifier, start: start, end: position)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return lexNumber(from: start)
        case UInt8(ascii: "\""):
            if let simpleString = lexPlainString(from: start) { return simpleString }
            position = start + 1
            if !push(Frame(mode: .quoted, openerStart: start)) { return endOfFile() }
            return Token(.openQuote, start: start, end: start + 1)
        case UInt8(ascii: "="):
            let next = peekByte(start + 1)
            if next == UInt8(ascii: "=") { return simple(.equalEqual, start, 2) }
            if next == UInt8(ascii: ">") { return simple(.fatArrow, start, 2) }
            return simple(.equals, start, 1)
        case UInt8(ascii: "{"):
            if !frames.isEmpty { frames[frames.count - 1].braceDepth += 1 }
            return simple(.openBrace, start, 1)
        case UInt8(ascii: "}"):
            if !frames.isEmpty {
                if frames[frames.count - 1].braceDepth == 0 {
                    pop()
                    return simple(.templateSequenceEnd, start, 1)
                }
                frames[frames.count - 1].braceDepth -= 1
            }
            return simple(.closeBrace, start, 1)
        case UInt8(ascii: "~"):
            if peekByte(start + 1) == UInt8(ascii: "}"), let last = frames.last, last.braceDepth == 0 {
                pop()
                return simple(.templateSequenceEnd, start, 2, flags: TokenFlags.strip)
            }
            return invalidCharacter(at: start)
        case UInt8(ascii: "["): return simple(.openBracket, start, 1)
        case UInt8(ascii: "]"): return simple(.closeBracket, start, 1)
        case UInt8(ascii: "("): return simple(.openParenthesis, start, 1)
        case UInt8(ascii: ")"): return simple(.closeParenthesis, start, 1)
        case UInt8(ascii: ","): return simple(.comma, start, 1)
        case UInt8(ascii: ":"): return simple(.colon, start, 1)
        case UInt8(ascii: "?"): return simple(.question, start, 1)
        case UInt8(ascii: "+"): return simple(.plus, start, 1)
        case UInt8(ascii: "-"): return simple(.minus, start, 1)
        case UInt8(ascii: "*"): return simple(.star, start, 1)
        case UInt8(ascii: "%"): return simple(.percent, start, 1)
        case UInt8(ascii: "."):
            if peekByte(start + 1) == UInt8(ascii: "."), peekByte(start + 2) == UInt8(ascii: ".") {
                return simple(.ellipsis, start, 3)
            }
            return simple(.dot, start, 1)
        case UInt8(ascii: "!"):
            if peekByte(start + 1) == UInt8(ascii: "=") { return simple(.notEqual, start, 2) }
            return simple(.bang, start, 1)
        case UInt8(ascii: ">"):
            if peekByte(start + 1) == UInt8(ascii: "=") { return simple(.greaterOrEqual, start, 2) }
            return simple(.greater, start, 1)
        case UInt8(ascii: "<"):
            if peekByte(start + 1) == UInt8(ascii: "<") { return lexHeredocOpener(from: start) }
            if peekByte(start + 1) == UInt8(ascii: "=") { return simple(.lessOrEqual, start, 2) }
            return simple(.less, start, 1)
        case UInt8(ascii: "&"):
            if peekByte(start + 1) == UInt8(ascii: "&") { return simple(.and, start, 2) }
            return invalidCharacter(at: start, hint: "the logical operator is \"&&\"")
        case UInt8(ascii: "|"):
            if peekByte(start + 1) == UInt8(ascii: "|") { return simple(.or, start, 2) }
            return invalidCharacter(at: start, hint: "the logical operator is \"||\"")
        case UInt8(ascii: "#"):
            return lexLineComment(from: start)
        case UInt8(ascii: "/"):
            let next = peekByte(start + 1)
            if next == UInt8(ascii: "/") { return lexLineComment(from: start) }
            if next == UInt8(ascii: "*") { return lexBlockComment(from: start) }
            return simple(.slash, start, 1)
        case 0x80...0xFF:
            let length = Self.utf8SequenceLength(bytes, at: start)
            if length == 0 { return invalidUTF8(at: start) }
            if Self.isIdentifierStart(bytes, at: start, length: length) {
                position = scanIdentifier(from: start + length)
                return Token(.identifier, start: start, end: position)
            }
            return invalidCharacter(at: start)
        default:
            return invalidCharacter(at: start)
        }
    }

    private mutating func endOfFile() -> Token {
        Token(.endOfFile, start: bytes.count, end: bytes.count)
    }

    /// How many spaces start at `index` (which holds one), up to eight, read as one word:
    /// indentation is a third of a typical job file, and a byte loop was the lexer's
    /// hottest spot.
    @inline(__always)
    private static func spaceRunLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        guard index &+ 8 <= bytes.count, let base = bytes.baseAddress else { return 1 }
        let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
        let others = (word ^ 0x2020_2020_2020_2020).littleEndian
        return others == 0 ? 8 : others.trailingZeroBitCount &>> 3
    }

    @inline(__always)
    private func peekByte(_ index: Int) -> UInt8 {
        index < bytes.count ? bytes[index] : 0
    }

    @inline(__always)
    private mutating func simple(_ kind: TokenKind, _ start: Int, _ length: Int, flags: UInt8 = 0) -> Token {
        position = start + length
        return Token(kind, start: start, end: start + length, flags: flags)
    }

    /// Letters, digits, `_` and `-` (so `my-cool-key` is one name), and non-ASCII letters.
    private mutating func scanIdentifier(from start: Int) -> Int {
        var index = start
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if Self.isASCIIIdentifierContinuation(byte) {
                index += 1
            } else if byte >= 0x80, let length = Self.identifierScalarLength(bytes, at: index) {
                index += length
            } else {
                break
            }
        }
        return index
    }

    /// The length of the non-ASCII letter or digit at `index`, or nil. Kept out of line:
    /// Unicode properties cost a lot of set-up that plain ASCII names must not pay.
    @inline(never)
    private static func identifierScalarLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        let length = utf8SequenceLength(bytes, at: index)
        guard length > 0 else { return nil }
        let properties = decodeScalar(bytes, at: index, length: length).properties
        guard properties.isAlphabetic || properties.numericType != nil else { return nil }
        return length
    }

    @inline(never)
    private static func isIdentifierStart(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, length: Int) -> Bool {
        decodeScalar(bytes, at: index, length: length).properties.isAlphabetic
    }

    @inline(__always)
    static func isASCIIIdentifierContinuation(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "-")
    }

    /// `12`, `1.5`, `2e10`, `6.02E+23`. After a `.` only digits are taken, so that `a.0.1`
    /// is two legacy index steps rather than the number `0.1`.
    private mutating func lexNumber(from start: Int) -> Token {
        let count = bytes.count
        var index = start
        while index < count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        var flags: UInt8 = 0
        if previousKind != .dot {
            if index + 1 < count, bytes[index] == UInt8(ascii: "."), bytes[index + 1] &- UInt8(ascii: "0") < 10 {
                index += 2
                while index < count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
                flags = TokenFlags.fractional
            }
            if index < count, bytes[index] | 0x20 == UInt8(ascii: "e") {
                var exponent = index + 1
                if exponent < count, bytes[exponent] == UInt8(ascii: "+") || bytes[exponent] == UInt8(ascii: "-") {
                    exponent += 1
                }
                if exponent < count, bytes[exponent] &- UInt8(ascii: "0") < 10 {
                    index = exponent
                    while index < count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
                    flags = TokenFlags.fractional
                }
            }
        }
        position = index
        return Token(.number, start: start, end: index, flags: flags)
    }

    private mutating func lexLineComment(from start: Int) -> Token {
        let end = lineCommentEnd(from: start)
        position = end
        let trimmed = end > start && bytes[end - 1] == UInt8(ascii: "\r") ? end - 1 : end
        return Token(.comment, start: start, end: trimmed)
    }

    private mutating func lexBlockComment(from start: Int) -> Token {
        let end = blockCommentEnd(from: start)
        position = end
        return Token(.comment, start: start, end: end)
    }

    /// Where a `#` or `//` comment ends: at its newline, which is not part of it.
    private mutating func lineCommentEnd(from start: Int) -> Int {
        let count = bytes.count
        var index = start
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") { break }
            if byte >= 0x80 {
                index = skipNonASCII(at: index)
            } else {
                index += 1
            }
        }
        return index
    }

    /// Where a `/* … */` comment ends, just after its `*/`.
    private mutating func blockCommentEnd(from start: Int) -> Int {
        let count = bytes.count
        var index = start + 2
        while index < count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "*"), index + 1 < count, bytes[index + 1] == UInt8(ascii: "/") {
                return index + 2
            }
            if byte >= 0x80 {
                index = skipNonASCII(at: index)
            } else {
                index += 1
            }
        }
        reportedUnterminatedAtEnd = true
        problem("unterminated comment: \"/*\" has no closing \"*/\"", start, start + 2)
        return count
    }

    /// `<<EOF` or `<<-EOF`, then a newline; the token includes that newline so the parser
    /// does not take it for the end of the attribute.
    private mutating func lexHeredocOpener(from start: Int) -> Token {
        var index = start + 2
        var flags: UInt8 = 0
        if peekByte(index) == UInt8(ascii: "-") {
            flags = TokenFlags.flush
            index += 1
        }
        let markerStart = index
        let first = peekByte(index)
        if (first | 0x20) &- UInt8(ascii: "a") < 26 || first == UInt8(ascii: "_") {
            index = scanIdentifier(from: index + 1)
        }
        let markerEnd = index
        if peekByte(index) == UInt8(ascii: "\r") { index += 1 }
        guard markerEnd > markerStart, peekByte(index) == UInt8(ascii: "\n") else {
            problem(
                "invalid heredoc: \"<<\" must be followed by a marker name and a newline", start, max(markerEnd, start + 2),
                hint: "write <<EOF, the text on the next lines, and EOF alone on the last line")
            position = start + 2
            return Token(.invalid, start: start, end: start + 2)
        }
        position = index + 1
        if !push(Frame(mode: .heredoc, openerStart: start, markerStart: markerStart, markerEnd: markerEnd, atLineStart: true)) {
            return endOfFile()
        }
        return Token(.openHeredoc, start: start, end: index + 1, flags: flags)
    }

    // MARK: - Quoted strings

    private mutating func lexQuoted() -> Token {
        let count = bytes.count
        let start = position
        guard start < count else {
            reportedUnterminatedAtEnd = true
            reportUnterminatedString(endingAt: count)
            pop()
            return Token(.closeQuote, start: count, end: count, flags: TokenFlags.synthetic)
        }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            pop()
            position = start + 1
            return Token(.closeQuote, start: start, end: start + 1)
        case UInt8(ascii: "\n"):
            reportUnterminatedString(endingAt: start)
            pop()
            return Token(.closeQuote, start: start, end: start, flags: TokenFlags.synthetic)
        case UInt8(ascii: "\r") where peekByte(start + 1) == UInt8(ascii: "\n"):
            reportUnterminatedString(endingAt: start)
            pop()
            return Token(.closeQuote, start: start, end: start, flags: TokenFlags.synthetic)
        case UInt8(ascii: "$") where peekByte(start + 1) == UInt8(ascii: "{"):
            return lexSequenceOpener(.templateInterpolation, from: start)
        case UInt8(ascii: "%") where peekByte(start + 1) == UInt8(ascii: "{"):
            return lexSequenceOpener(.templateDirective, from: start)
        default:
            break
        }
        var index = start
        var flags: UInt8 = 0
        while index < count {
            let byte = bytes[index]
            if byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"),
                byte != UInt8(ascii: "$"), byte != UInt8(ascii: "%")
            {
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\n"):
                position = index
                return Token(.templateLiteral, start: start, end: index, flags: flags)
            case UInt8(ascii: "\r") where peekByte(index + 1) == UInt8(ascii: "\n"):
                position = index
                return Token(.templateLiteral, start: start, end: index, flags: flags)
            case UInt8(ascii: "\\"):
                flags |= TokenFlags.needsDecoding
                let next = peekByte(index + 1)
                // An escaped quote or backslash must not end the string or escape the next one;
                // whether the escape is valid is decided when the text is decoded.
                index += (next == UInt8(ascii: "\"") || next == UInt8(ascii: "\\")) ? 2 : 1
            case UInt8(ascii: "$"), UInt8(ascii: "%"):
                let next = peekByte(index + 1)
                if next == UInt8(ascii: "{") {
                    position = index
                    return Token(.templateLiteral, start: start, end: index, flags: flags)
                }
                index = skipTemplateMarkerCharacter(byte, next: next, at: index, flags: &flags)
            case 0x80...0xFF:
                index = skipNonASCII(at: index)
            case 0x09:
                index += 1
            default:
                reportControlCharacter(at: index)
                index += 1
            }
        }
        position = index
        return Token(.templateLiteral, start: start, end: index, flags: flags)
    }

    @inline(never)
    /// Most strings are plain text on one line: one `quotedString` token instead of three
    /// tokens and a frame. Anything else (an interpolation, a directive, a line end, a byte
    /// that is not valid UTF-8 or a control character) is left to the quoted mode, which
    /// lexes and reports it.
    private mutating func lexPlainString(from start: Int) -> Token? {
        let count = bytes.count
        var index = start + 1
        var flags: UInt8 = 0
        while index < count {
            let byte = bytes[index]
            if byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"),
                byte != UInt8(ascii: "$"), byte != UInt8(ascii: "%")
            {
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                position = index + 1
                return Token(.quotedString, start: start, end: index + 1, flags: flags)
            case UInt8(ascii: "\\"):
                flags |= TokenFlags.needsDecoding
                let next = peekByte(index + 1)
                index += (next == UInt8(ascii: "\"") || next == UInt8(ascii: "\\")) ? 2 : 1
            case UInt8(ascii: "$"), UInt8(ascii: "%"):
                let next = peekByte(index + 1)
                if next == UInt8(ascii: "{") { return nil }
                if next == byte, peekByte(index + 2) == UInt8(ascii: "{") {
                    flags |= TokenFlags.needsDecoding
                    index += 3
                } else {
                    index += 1
                }
            case 0x09:
                index += 1
            case 0x80...0xFF:
                let length = Self.utf8SequenceLength(bytes, at: index)
                if length == 0 { return nil }
                index += length
            default:
                return nil
            }
        }
        return nil
    }

    @inline(never)
    private mutating func reportUnterminatedString(endingAt end: Int) {
        let opener = frames.last?.openerStart ?? end
        problem(
            "unterminated string", opener, max(end, opener + 1),
            hint: "end the string with a quote on the same line; for text over several lines use a heredoc (<<EOF … EOF)")
    }

    private mutating func lexSequenceOpener(_ kind: TokenKind, from start: Int) -> Token {
        var end = start + 2
        var flags: UInt8 = 0
        if peekByte(end) == UInt8(ascii: "~") {
            flags = TokenFlags.strip
            end += 1
        }
        position = end
        if mode == .heredoc { frames[frames.count - 1].atLineStart = false }
        if !push(Frame(mode: .code)) { return endOfFile() }
        return Token(kind, start: start, end: end, flags: flags)
    }

    // MARK: - Heredocs

    /// The closing marker: optional indentation, the marker, then a newline or the end of the file.
    private func closingMarkerEnd(at lineStart: Int, frame: Frame) -> Int? {
        let count = bytes.count
        var index = lineStart
        while index < count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
        let length = frame.markerEnd - frame.markerStart
        guard index + length <= count else { return nil }
        for offset in 0..<length where bytes[index + offset] != bytes[frame.markerStart + offset] {
            return nil
        }
        let end = index + length
        if end == count || bytes[end] == UInt8(ascii: "\n")
            || (bytes[end] == UInt8(ascii: "\r") && end + 1 < count && bytes[end + 1] == UInt8(ascii: "\n"))
        {
            return end
        }
        return nil
    }

    private mutating func lexHeredoc() -> Token {
        let count = bytes.count
        let start = position
        let frame = frames[frames.count - 1]
        if frame.atLineStart, let end = closingMarkerEnd(at: start, frame: frame) {
            pop()
            position = end
            return Token(.closeHeredoc, start: start, end: end)
        }
        guard start < count else {
            let marker = String(decoding: UnsafeBufferPointer(rebasing: bytes[frame.markerStart..<frame.markerEnd]), as: UTF8.self)
            reportedUnterminatedAtEnd = true
            problem(
                "missing closing marker \"\(marker)\" for this heredoc", frame.openerStart, frame.markerEnd,
                hint: "end the heredoc with a line containing only \(marker)")
            pop()
            return Token(.closeHeredoc, start: count, end: count, flags: TokenFlags.synthetic)
        }
        if peekByte(start + 1) == UInt8(ascii: "{") {
            if bytes[start] == UInt8(ascii: "$") { return lexSequenceOpener(.templateInterpolation, from: start) }
            if bytes[start] == UInt8(ascii: "%") { return lexSequenceOpener(.templateDirective, from: start) }
        }
        var index = start
        var flags: UInt8 = 0
        var endsAtLineStart = false
        scan: while index < count {
            let byte = bytes[index]
            if byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "$"), byte != UInt8(ascii: "%") {
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\n"):
                index += 1
                if closingMarkerEnd(at: index, frame: frame) != nil {
                    endsAtLineStart = true
                    break scan
                }
            case UInt8(ascii: "$"), UInt8(ascii: "%"):
                let next = peekByte(index + 1)
                if next == UInt8(ascii: "{") { break scan }
                index = skipTemplateMarkerCharacter(byte, next: next, at: index, flags: &flags)
            case 0x80...0xFF:
                index = skipNonASCII(at: index)
            case 0x09, 0x0D:
                index += 1
            default:
                reportControlCharacter(at: index)
                index += 1
            }
        }
        frames[frames.count - 1].atLineStart = endsAtLineStart
        position = index
        return Token(.templateLiteral, start: start, end: index, flags: flags)
    }

    // MARK: - Characters

    @inline(never)
    private mutating func invalidCharacter(at start: Int, hint: String? = nil) -> Token {
        var length = 1
        var description = Self.describe(Unicode.Scalar(bytes[start]))
        if bytes[start] >= 0x80 {
            length = max(1, Self.utf8SequenceLength(bytes, at: start))
            description = Self.describe(Self.decodeScalar(bytes, at: start, length: length))
        }
        problem("invalid character \(description)", start, start + length, hint: hint)
        position = start + length
        return Token(.invalid, start: start, end: start + length)
    }

    private mutating func invalidUTF8(at start: Int) -> Token {
        reportInvalidUTF8(at: start)
        position = start + 1
        return Token(.invalid, start: start, end: start + 1)
    }

    /// Steps over the non-ASCII character at `index` in literal text, reporting invalid
    /// UTF-8 one byte at a time; returns where the text continues.
    @inline(__always)
    private mutating func skipNonASCII(at index: Int) -> Int {
        let length = Self.utf8SequenceLength(bytes, at: index)
        guard length > 0 else {
            reportInvalidUTF8(at: index)
            return index + 1
        }
        return index + length
    }

    /// Steps over a `$` or `%` in template text that does not start an interpolation or
    /// directive: `$${` and `%%{` are the escaped, literal forms (decoded later).
    @inline(__always)
    private func skipTemplateMarkerCharacter(_ byte: UInt8, next: UInt8, at index: Int, flags: inout UInt8) -> Int {
        guard next == byte, peekByte(index + 2) == UInt8(ascii: "{") else { return index + 1 }
        flags |= TokenFlags.needsDecoding
        return index + 3
    }

    @inline(never)
    private mutating func reportInvalidUTF8(at index: Int) {
        let hex = String(bytes[index], radix: 16, uppercase: true)
        problem("invalid UTF-8: byte 0x\(hex.count < 2 ? "0" + hex : hex) is not part of a valid character", index, index + 1)
    }

    @inline(never)
    private mutating func reportControlCharacter(at index: Int) {
        problem("invalid character \(Self.describe(Unicode.Scalar(bytes[index]))) in a string", index, index + 1)
    }

    /// A character quoted for a message; invisible ones are spelled as `\u{…}` escapes.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        let value = scalar.value
        let invisible =
            value < 0x20 || (0x7F...0xA0).contains(value) || value == 0xAD || (0x200B...0x200F).contains(value)
            || value == 0x2028 || value == 0x2029 || value == 0xFEFF || scalar.properties.isWhitespace
        if invisible {
            return "\"\\u{\(String(value, radix: 16))}\""
        }
        return "\"\(Character(scalar))\""
    }

    /// The length of the well-formed UTF-8 sequence at `index`, or 0 when there is none
    /// (stray continuation byte, overlong form, surrogate, beyond U+10FFFF, truncated).
    static func utf8SequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let count = bytes.count
        let lead = bytes[index]
        if lead < 0x80 { return 1 }
        @inline(__always) func continuation(_ offset: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            index + offset < count && bytes[index + offset] >= low && bytes[index + offset] <= high
        }
        switch lead {
        case 0xC2...0xDF:
            return continuation(1) ? 2 : 0
        case 0xE0:
            return continuation(1, 0xA0) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return continuation(1) && continuation(2) ? 3 : 0
        case 0xED:
            return continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : 0
        case 0xF0:
            return continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3:
            return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4:
            return continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default:
            return 0
        }
    }

    /// The scalar of a sequence already checked by `utf8SequenceLength`.
    static func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, length: Int) -> Unicode.Scalar {
        var value: UInt32
        switch length {
        case 2: value = UInt32(bytes[index] & 0x1F)
        case 3: value = UInt32(bytes[index] & 0x0F)
        case 4: value = UInt32(bytes[index] & 0x07)
        default: return Unicode.Scalar(bytes[index])
        }
        for offset in 1..<length {
            value = value << 6 | UInt32(bytes[index + offset] & 0x3F)
        }
        return Unicode.Scalar(value) ?? "\u{FFFD}"
    }
}
