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
