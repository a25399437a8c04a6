import Jobspec
import Testing

@Suite struct SourceFileTests {
    @Test func offsetsResolveToOneBasedLineAndColumn() {
        let file = SourceFile(name: "a.hcl", text: "job \"x\" {\n  count = 1\n}\n")
        #expect(file.location(of: 0) == SourceLocation(line: 1, column: 1, offset: 0))
        #expect(file.location(of: 12) == SourceLocation(line: 2, column: 3, offset: 12))
        #expect(file.lineText(2) == "  count = 1")
    }

    @Test func diagnosticQuotesTheLineWithACaretAndHint() {
        let file = SourceFile(name: "a.hcl", text: "job \"x\" {\n  intervl = 1\n}\n")
        var sink = DiagnosticSink(source: file)
        sink.error("unknown attribute \"intervl\"", at: SourceSpan(start: 12, end: 19), hint: "did you mean \"interval\"?")
        #expect(sink.diagnostics[0].rendered(in: file) == """
            a.hcl:2:3: error: unknown attribute "intervl"
                  intervl = 1
                  ^~~~~~~
                hint: did you mean "interval"?
            """)
    }
}

@Suite struct DiagnosticRenderingTests {
    @Test func aHugeLineIsQuotedAsAWindowAroundTheCaret() {
        let text = "a = [" + String(repeating: "1, ", count: 100_000) + "x y]\n"
        let file = SourceFile(name: "big.hcl", text: text)
        var sink = DiagnosticSink(source: file)
        let offset = 5 + 3 * 100_000 + 2
        sink.error("unexpected \"y\"", at: SourceSpan(start: offset, end: offset + 1))
        let rendered = sink.diagnostics[0].rendered(in: file)
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)
        #expect(lines[0] == "big.hcl:1:300008: error: unexpected \"y\"")
        #expect(lines[1].hasPrefix("    …"))
        #expect(lines[1].hasSuffix("x y]"))
        #expect(rendered.utf8.count < 400)
        // The caret sits under the "y".
        let quoted = Array(lines[1].unicodeScalars)
        let caret = Array(lines[2].unicodeScalars)
        let caretIndex = caret.firstIndex(of: "^")!
        #expect(quoted[caretIndex] == "y")
    }
}

@Suite struct SourceSpanTests {
    @Test func offsetsOfAnyFileRoundTripAndMutateAsInts() {
        var span = SourceSpan(start: 12, end: 64 << 20)
        #expect(span.start == 12)
        #expect(span.end == 64 << 20)
        span.end = span.start + 7
        #expect(span == SourceSpan(start: 12, end: 19))
        #expect(span.union(SourceSpan(start: 3, end: 5)) == SourceSpan(start: 3, end: 19))
    }

    @Test func offsetsPastTwoGibibytesClampInsteadOfTrapping() {
        let span = SourceSpan(start: Int.max, end: -1 - Int(Int32.max) - 5)
        #expect(span.start == Int(Int32.max))
        #expect(span.end == Int(Int32.min))
    }
}
