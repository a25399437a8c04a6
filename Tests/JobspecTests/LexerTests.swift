import Testing

@testable import Jobspec

/// Lexes `text` and renders each token as `kind` or `kind:text`, plus the problems found.
private func lex(_ text: String, comments: Bool = false) -> (tokens: [String], problems: [String]) {
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBufferPointer { buffer in
        var lexer = Lexer(bytes: buffer, emitsComments: comments)
        var tokens: [String] = []
        var problems: [String] = []
        let source = SourceFile(name: "t", bytes: bytes)
        for _ in 0..<10_000 {
            let token = lexer.next()
            for problem in lexer.problems {
                problems.append("\(source.location(of: problem.span.start)): \(problem.message)")
            }
            lexer.problems.removeAll()
            if token.kind == .endOfFile { break }
            let content = String(decoding: buffer[token.start..<token.end], as: UTF8.self)
            switch token.kind {
            case .identifier, .number, .quotedString, .templateLiteral, .comment, .openHeredoc, .closeHeredoc:
                tokens.append("\(token.kind):\(content)")
            default:
                tokens.append("\(token.kind)" + (token.flags & TokenFlags.strip != 0 ? "~" : ""))
            }
        }
        return (tokens, problems)
    }
}

@Suite struct LexerTests {
    @Test func namesMayContainDashesAndDigits() {
        #expect(lex("my-cool-key x_1 a-").tokens == ["identifier:my-cool-key", "identifier:x_1", "identifier:a-"])
    }

    @Test func numbersKeepTheirFractionAndExponent() {
        #expect(lex("12 1.5 2e10 6.02E+23 7e-3").tokens == [
            "number:12", "number:1.5", "number:2e10", "number:6.02E+23", "number:7e-3",
        ])
    }

    @Test func aNumberAfterADotIsALegacyIndexNotAFraction() {
        #expect(lex("a.0.1").tokens == ["identifier:a", "dot", "number:0", "dot", "number:1"])
    }

    @Test func everyOperatorAndPunctuationMarkHasItsToken() {
        let (tokens, problems) = lex("{ } [ ] ( ) , . ... : ? = => + - * / % == != < <= > >= && || !")
        #expect(problems.isEmpty)
        #expect(tokens == [
            "openBrace", "closeBrace", "openBracket", "closeBracket", "openParenthesis", "closeParenthesis",
            "comma", "dot", "ellipsis", "colon", "question", "equals", "fatArrow", "plus", "minus", "star", "slash",
            "percent", "equalEqual", "notEqual", "less", "lessOrEqual", "greater", "greaterOrEqual", "and", "or",
            "bang",
        ])
    }

    @Test func commentsAreSkippedUnlessAskedFor() {
        let text = "a # one\nb // two\nc /* three\n */ d"
        #expect(lex(text).tokens == ["identifier:a", "newline", "identifier:b", "newline", "identifier:c", "identifier:d"])
        #expect(lex(text, comments: true).tokens == [
            "identifier:a", "comment:# one", "newline", "identifier:b", "comment:// two", "newline",
            "identifier:c", "comment:/* three\n */", "identifier:d",
        ])
    }

    @Test func aQuotedStringSplitsIntoLiteralsAndInterpolations() {
        #expect(lex("\"a ${b} c\"").tokens == [
            "openQuote", "templateLiteral:a ", "templateInterpolation", "identifier:b", "templateSequenceEnd",
            "templateLiteral: c", "closeQuote",
        ])
    }

    /// A string without `${` or `%{` is one token; the parser then needs no template machinery.
    @Test func escapedTemplateOpenersStayLiteralText() {
        #expect(lex("\"$${a} %%{b} $ % \\\" \\\\\"").tokens == ["quotedString:\"$${a} %%{b} $ % \\\" \\\\\""])
        #expect(lex("\"a ${b}\" \"plain\"").tokens == [
            "openQuote", "templateLiteral:a ", "templateInterpolation", "identifier:b", "templateSequenceEnd",
            "closeQuote", "quotedString:\"plain\"",
        ])
    }

    @Test func bracesInsideAnInterpolationDoNotEndIt() {
        #expect(lex("\"${ {a = 1}.a }\"").tokens == [
            "openQuote", "templateInterpolation", "openBrace", "identifier:a", "equals", "number:1", "closeBrace",
            "dot", "identifier:a", "templateSequenceEnd", "closeQuote",
        ])
    }

    @Test func stripMarkersAreRecordedOnTheSequenceTokens() {
        #expect(lex("\"${~ a ~}\"").tokens == [
            "openQuote", "templateInterpolation~", "identifier:a", "templateSequenceEnd~", "closeQuote",
        ])
    }

    @Test func aHeredocRunsToTheLineHoldingOnlyItsMarker() {
        let (tokens, problems) = lex("x = <<EOT\nhello ${name}\n  EOT is not the end\n  EOT\ny")
        #expect(problems.isEmpty)
        #expect(tokens == [
            "identifier:x", "equals", "openHeredoc:<<EOT\n", "templateLiteral:hello ", "templateInterpolation",
            "identifier:name", "templateSequenceEnd", "templateLiteral:\n  EOT is not the end\n", "closeHeredoc:  EOT",
            "newline", "identifier:y",
        ])
    }

    @Test func anEmptyHeredocClosesOnItsFirstLine() {
        #expect(lex("<<-EOF\nEOF\n").tokens == ["openHeredoc:<<-EOF\n", "closeHeredoc:EOF", "newline"])
    }

    @Test func aByteOrderMarkAtTheStartIsIgnored() {
        #expect(lex("\u{FEFF}a").tokens == ["identifier:a"])
    }

    @Test func aNulCharacterIsReportedWithItsEscape() {
        let (tokens, problems) = lex("a\u{0}b")
        #expect(tokens == ["identifier:a", "invalid", "identifier:b"])
        #expect(problems == ["1:2: invalid character \"\\u{0}\""])
    }

    @Test func invalidUTF8IsReportedAtItsByte() {
        // Swift strings cannot hold the byte, so this goes through the parser's byte input.
        let bytes: [UInt8] = Array("a = \"x".utf8) + [0xFF] + Array("y\"\n".utf8)
        let (_, diagnostics) = parseHCL(bytes: bytes)
        #expect(errorLines(diagnostics) == ["1:7: invalid UTF-8: byte 0xFF is not part of a valid character"])
    }

    @Test func aStringEndingAtTheLineEndIsUnterminated() {
        let (tokens, problems) = lex("a = \"abc\nb")
        #expect(tokens == ["identifier:a", "equals", "openQuote", "templateLiteral:abc", "closeQuote", "newline", "identifier:b"])
        #expect(problems == ["1:5: unterminated string"])
    }

    @Test func aBlockCommentWithoutItsEndIsReported() {
        #expect(lex("a /* b").problems == ["1:3: unterminated comment: \"/*\" has no closing \"*/\""])
    }

    @Test func aHeredocWithoutItsClosingMarkerNamesTheMarker() {
        #expect(lex("x = <<END\nsome text\n").problems == ["1:5: missing closing marker \"END\" for this heredoc"])
    }

    @Test func aDoubleLessThanWithoutAMarkerIsNotAHeredoc() {
        #expect(lex("x = << 3").problems == ["1:5: invalid heredoc: \"<<\" must be followed by a marker name and a newline"])
    }

    @Test func nonASCIILettersMakeNamesButOtherSymbolsDoNot() {
        let (tokens, problems) = lex("café → x")
        #expect(tokens == ["identifier:café", "invalid", "identifier:x"])
        #expect(problems == ["1:7: invalid character \"→\""])  // columns count bytes, as HCL does
    }
}
