import ClusterModel
import Testing

@testable import Jobspec

@Suite struct ParserTests {
    // MARK: - Bodies

    @Test func attributesAndLabelledBlocksKeepTheirOrderAndLabels() {
        let (body, diagnostics) = parseHCL(
            """
            region = "global"
            job "web" {
              group api "v2" {
                count = 2
              }
            }
            """)
        #expect(diagnostics.isEmpty)
        #expect(render(body) == """
            region = "global"
            job "web" {
              group "api" "v2" {
                count = 2
              }
            }
            """)
    }

    @Test func oneLineBlocksAreAccepted() {
        let (body, diagnostics) = parseHCL("port \"http\" {}\na { b = 1 }\nc {\n}\n")
        #expect(diagnostics.isEmpty)
        #expect(render(body) == "port \"http\" {}\na {\n  b = 1\n}\nc {}")
    }

    @Test func blockSpansRunFromTheTypeToTheClosingBrace() {
        let (body, _) = parseHCL("job \"x\" {\n  a = 1\n}\n")
        #expect(body.blocks[0].span == SourceSpan(start: 0, end: 19))
        #expect(body.blocks[0].labels[0].span == SourceSpan(start: 4, end: 7))
        #expect(body.attributes.isEmpty)
    }

    @Test func commentsOfEveryKindAreIgnored() {
        let (body, diagnostics) = parseHCL("# hash\n// slashes\na = 1 /* inline */ # trailing\n/* multi\nline */\nb = 2\n")
        #expect(diagnostics.isEmpty)
        #expect(render(body) == "a = 1\nb = 2")
    }

    @Test func windowsLineEndingsAreAccepted() {
        let (body, diagnostics) = parseHCL("a = 1\r\nb {\r\n  c = \"x\"\r\n}\r\n")
        #expect(diagnostics.isEmpty)
        #expect(render(body) == "a = 1\nb {\n  c = \"x\"\n}")
    }

    @Test func everyCorpusJobFileParsesWithoutErrors() throws {
        guard let directory = conformanceDirectory() else {
            print("skipped: the Nomad jobspec corpus was not found (set ROOST_CONFORMANCE_DIR)")
            return
        }
        let files = try corpusFiles(in: directory)
        #expect(files.count >= 70)
        for file in files {
            let (_, diagnostics) = parseHCL(bytes: file.bytes)
            #expect(diagnostics.isEmpty, "\(file.name): \(errorLines(diagnostics))")
        }
    }

    // MARK: - Literals

    @Test func numbersBecomeDoublesWithoutTrappingOnHugeLiterals() {
        #expect(expression("42") == "42")
        #expect(expression("1.5") == "1.5")
        #expect(expression("2e3") == "2000")
        #expect(expression("-7") == "-7")
        #expect(expression("1e999") == "inf")
        #expect(expression("123456789012345678901234567890") == "1.2345678901234568e+29")
        #expect(expression("99999999999999999999999999999999999999999999e-999") == "0")
    }

    @Test func keywordsAreLiterals() {
        #expect(expression("[true, false, null]") == "[true, false, null]")
    }

    @Test func quotedStringsDecodeTheirEscapes() {
        #expect(expression(#""a\nb\tc\"d\\e\r""#) == #""a\nb\tc\"d\\e\r""#)
        #expect(expression(#""\u00e9\U0001F600""#) == "\"é😀\"")
        #expect(expression(#""$${x} %%{y} $ %""#) == #""${x} %{y} $ %""#)
        #expect(expression("\"\"") == "\"\"")
    }

    @Test func anInvalidEscapeIsReportedWhereItIs() {
        let (_, diagnostics) = parseHCL(#"x = "a\qb""# + "\n")
        #expect(errorLines(diagnostics) == [#"1:7: invalid escape sequence "\q""#])
        let (_, unicode) = parseHCL(#"x = "\u12""# + "\n" + #"y = "\UD800D800""# + "\n")
        #expect(errorLines(unicode) == [
            #"1:6: invalid Unicode escape: "\u" needs 4 hexadecimal digits"#,
            "2:6: invalid Unicode escape: U+D800D800 is not a character",
        ])
    }

    // MARK: - Templates

    @Test func interpolationsMakeTemplates() {
        #expect(expression(#""a ${b} c""#) == #"template("a ", ${b}, " c")"#)
        #expect(expression(#""${attr.kernel.name}""#) == "template(${attr.kernel.name})")
        #expect(expression(#""${ "in${"ner"}" }""#) == #"template(${template("in", ${"ner"})})"#)
    }

    @Test func ifAndForDirectivesNest() {
        #expect(
            expression(#""%{ if a }yes%{ else }no%{ endif }""#) == #"template(if(a){"yes"}else{"no"})"#)
        #expect(
            expression(#""%{ for k, v in m }${k}=${v};%{ endfor }""#)
                == #"template(for(k, v in m){${k}, "=", ${v}, ";"})"#)
        #expect(
            expression(#""%{ for x in xs }%{ if x }[${x}]%{ endif }%{ endfor }""#)
                == #"template(for(x in xs){if(x){"[", ${x}, "]"}else{}})"#)
    }

    @Test func stripMarkersTrimTheNeighbouringText() {
        #expect(expression(#""a  ${~ b ~}  c""#) == #"template("a", ${b}, "c")"#)
        #expect(
            expression("<<EOT\n%{ for x in xs ~}\n  ${x}\n%{ endfor ~}\nend\nEOT")
                == #"template(for(x in xs){${x}, "\n"}, "end\n")"#)
    }

    @Test func unmatchedDirectivesAreReported() {
        let (_, diagnostics) = parseHCL("a = \"%{ endif }\"\nb = \"%{ if x }\"\nc = \"%{ for x in y }%{ endif }%{ endfor }\"\n")
        #expect(errorLines(diagnostics) == [
            #"1:6: "%{ endif }" without a matching "%{ if }""#,
            #"2:6: "%{ if }" is not closed by "%{ endif }""#,
            #"3:21: "%{ endif }" without a matching "%{ if }""#,
        ])
    }

    @Test func heredocsKeepTheirTextAndTrailingNewline() {
        #expect(expression("<<EOT\nline 1\n  line 2\nEOT") == #""line 1\n  line 2\n""#)
        #expect(expression("<<EOT\nhi ${name}!\nEOT") == #"template("hi ", ${name}, "!\n")"#)
        #expect(expression("<<EOT\nEOT") == #""""#)
        #expect(expression("<<EOT\n$${not} %%{this}\nEOT") == #""${not} %{this}\n""#)
    }

    @Test func flushHeredocsLoseTheirCommonIndentation() {
        #expect(expression("<<-EOT\n    a\n      b\n\n    c\n    EOT") == #""a\n  b\n\nc\n""#)
        #expect(expression("<<-EOT\n    x ${y}\n      ${z}\n  EOT") == #"template("x ", ${y}, "\n  ", ${z}, "\n")"#)
        #expect(expression("<<-EOT\n  a\n${b}\n  EOT") == #"template("  a\n", ${b}, "\n")"#)
    }

    // MARK: - Collections

    @Test func tuplesAllowNewlinesAndATrailingComma() {
        #expect(expression("[1, \"two\", [3]]") == #"[1, "two", [3]]"#)
        #expect(expression("[\n  1,\n  2,\n]") == "[1, 2]")
        #expect(expression("[]") == "[]")
    }

    @Test func objectsTakeCommasNewlinesEqualsOrColons() {
        #expect(
            expression("{ a = 1, \"b\" = 2, c: 3 }") == #"{"a" = 1, "b" = 2, "c" = 3}"#)
        #expect(expression("{\n  a = 1\n  b = [\n    2,\n  ]\n\n}") == #"{"a" = 1, "b" = [2]}"#)
        #expect(expression("{}") == "{}")
    }

    @Test func objectKeysAreLiteralNamesUnlessParenthesised() {
        #expect(expression("{ for = 1, true = 2, null = 3 }") == #"{"for" = 1, "true" = 2, "null" = 3}"#)
        #expect(expression("{ (var.k) = 1, \"${x}\" = 2 }") == #"{paren(var.k) = 1, template(${x}) = 2}"#)
    }

    // MARK: - Operators

    @Test func operatorsFollowHCLPrecedence() {
        #expect(expression("1 + 2 * 3") == "(1 + (2 * 3))")
        #expect(expression("1 - 2 - 3") == "((1 - 2) - 3)")
        #expect(expression("a || b && c") == "(a || (b && c))")
        #expect(expression("a == b && c != d") == "((a == b) && (c != d))")
        #expect(expression("a < b == c >= d") == "((a < b) == (c >= d))")
        #expect(expression("10 % 3 / 2 * 1") == "(((10 % 3) / 2) * 1)")
        #expect(expression("!a == b") == "((!a) == b)")
        #expect(expression("-x.y + 1") == "((-x.y) + 1)")
        #expect(expression("- - 1") == "1")
        #expect(expression("(1 + 2) * 3") == "(paren((1 + 2)) * 3)")
    }

    @Test func conditionalsBindLoosestAndNestToTheRight() {
        #expect(expression("a ? b : c ? d : e") == "(a ? b : (c ? d : e))")
        #expect(expression("a || b ? 1 + 2 : 3") == "((a || b) ? (1 + 2) : 3)")
    }

    // MARK: - Calls and for expressions

    @Test func functionCallsTakeArgumentsOverSeveralLinesAndExpansion() {
        #expect(expression("upper(\"a\")") == #"upper("a")"#)
        #expect(expression("format(\n  \"%s-%s\",\n  a,\n  b,\n)") == #"format("%s-%s", a, b)"#)
        #expect(expression("concat(xs...)") == "concat(xs...)")
        #expect(expression("max(1, ys...)") == "max(1, ys...)")
        #expect(expression("timestamp()") == "timestamp()")
    }

    @Test func forExpressionsBuildTuplesAndObjects() {
        #expect(expression("[for s in var.list : upper(s)]") == "[for s in var.list : upper(s)]")
        #expect(expression("[for i, s in xs : s if i > 0]") == "[for i, s in xs : s if (i > 0)]")
        #expect(expression("{for k, v in m : v => k...}") == "{for k, v in m : v => k...}")
        #expect(expression("{\n  for k, v in m :\n  k => v\n  if v != null\n}") == "{for k, v in m : k => v if (v != null)}")
        #expect(expression("[for]") == "[for]")
    }

    // MARK: - Traversals

    @Test func staticReferencesBecomeTraversals() {
        #expect(expression("var.a.b[0]") == "var.a.b[0]")
        #expect(expression("attr.kernel.name") == "attr.kernel.name")
        #expect(expression("env[\"X\"]") == #"env["X"]"#)
        #expect(expression("local.list.0.name") == "local.list[0].name")
        #expect(expression("a.0.1") == "a[0][1]")
        #expect(expression("NOMAD_ALLOC_ID") == "NOMAD_ALLOC_ID")
    }

    @Test func computedBasesAndKeysUseAttributeAndIndexNodes() {
        #expect(expression("lookup(m, k).dcs") == "get(lookup(m, k), dcs)")
        #expect(expression("f()[0].a") == "get(index(f(), 0), a)")
        #expect(expression("var.m[var.k].x") == "get(index(var.m, var.k), x)")
        #expect(expression("[1, 2][0]") == "index([1, 2], 0)")
    }

    @Test func splatsApplyTheirStepsToEveryElement() {
        #expect(expression("var.list[*].id") == "splat(var.list, .id)")
        #expect(expression("var.list.*.id.name") == "splat(var.list, .id.name)")
        #expect(expression("var.list[*].a[0]") == "splat(var.list, .a[0])")
        #expect(expression("var.list.*.a[0]") == "index(splat(var.list, .a), 0)")
        #expect(expression("xs[*]") == "splat(xs, )")
    }

    // MARK: - Errors

    @Test func aNameAloneAsksForEqualsOrABrace() {
        let (_, diagnostics) = parseHCL("job \"x\" {\n  foo\n}\n")
        #expect(errorLines(diagnostics) == [#"2:6: expected "=" or "{" after "foo", found a newline"#])
    }

    @Test func duplicateAttributesPointAtTheSecondAndNameTheFirstLine() {
        let (body, diagnostics) = parseHCL("a {\n  count = 1\n  x = 2\n  count = 3\n}\n")
        #expect(errorLines(diagnostics) == [#"4:3: duplicate attribute "count" (first defined on line 2)"#])
        #expect(body.blocks[0].body.attributes.count == 2)
    }

    @Test func duplicatesAreFoundInLargeBodiesToo() {
        var text = ""
        for index in 0..<40 { text += "a\(index) = \(index)\n" }
        text += "a7 = 0\n"
        #expect(errorLines(parseHCL(text).diagnostics) == [#"41:1: duplicate attribute "a7" (first defined on line 8)"#])
    }

    @Test func anUnclosedBlockPointsAtItsBrace() {
        let (_, diagnostics) = parseHCL("job \"x\" {\n  group \"y\" {\n    a = 1\n}\n")
        #expect(errorLines(diagnostics) == [#"1:9: unclosed "{" (opened here)"#])
    }

    @Test func anUnclosedListAtTheEndOfTheFilePointsAtItsBracket() {
        let (_, diagnostics) = parseHCL("a = [1,\n  2,\n")
        #expect(errorLines(diagnostics) == [#"1:5: unclosed "[" (opened here)"#])
    }

    @Test func aListClosedByABraceIsReportedAndTheBlockStillCloses() {
        let (body, diagnostics) = parseHCL("a {\n  b = [1, 2\n}\nc = 3\n")
        #expect(errorLines(diagnostics) == [#"3:1: expected "," or "]" after a list element, found "}""#])
        #expect(body.attributes.map(\.name) == ["c"])
        #expect(body.blocks.map(\.type) == ["a"])
    }

    @Test func everyBrokenLineOfAFileIsReported() {
        let text = """
            job "x" {
              count = 
              name = "ok"
              foo bar baz
              group "g" {
                a = [1 2]
                b = 1 2
                c = @
              }
              d = "unterminated
              e = true
            }
            }
            """
        let (body, diagnostics) = parseHCL(text + "\n")
        #expect(errorLines(diagnostics) == [
            "2:11: expected an expression, found a newline",
            #"4:14: expected "{" after the labels of block "foo", found a newline"#,
            #"6:12: expected "," or "]" after a list element, found the number 2"#,
            #"7:11: expected a newline after the value of "b", found the number 2"#,
            #"8:9: invalid character "@""#,
            "10:7: unterminated string",
            #"13:1: unexpected "}": there is no block to close"#,
        ])
        #expect(render(body.blocks[0].body) == "name = \"ok\"\nd = \"unterminated\"\ne = true\ngroup \"g\" {\n  b = 1\n}")
    }

    @Test func aBlockLabelCannotInterpolate() {
        let (_, diagnostics) = parseHCL("job \"${x}\" {}\n")
        #expect(errorLines(diagnostics) == [#"1:5: a block label must be plain text; "${…}" and "%{…}" are not allowed in labels"#])
    }

    @Test func anUnclosedInterpolationPointsAtItsOpener() {
        let (_, diagnostics) = parseHCL("a = \"${b\n")
        #expect(errorLines(diagnostics) == [#"1:6: unclosed "${" (opened here)"#])
    }

    @Test func anExpressionMissingInsideAnInterpolationIsReportedThere() {
        let (_, diagnostics) = parseHCL("c = \"${ d + }\"\n")
        #expect(errorLines(diagnostics) == [#"1:13: expected an expression, found "}""#])
    }

    @Test func errorsRenderWithTheLineAndACaret() {
        let source = SourceFile(name: "job.hcl", text: "job \"x\" {\n  count = \n}\n")
        var sink = DiagnosticSink(source: source)
        var parser = Parser(source: source)
        _ = parser.parseFile(into: &sink)
        #expect(sink.diagnostics.map { $0.rendered(in: source) } == [
            """
            job.hcl:2:11: error: expected an expression, found a newline
                  count = 
                          ^
            """
        ])
    }

    @Test func aOneLineBlockHoldsOneAttribute() {
        let (_, diagnostics) = parseHCL("a { b = 1 c = 2 }\n")
        #expect(errorLines(diagnostics) == [#"1:11: expected a newline after the value of "b", found "c""#])
    }

    @Test func templateDirectivesMustBeKnown() {
        let (_, diagnostics) = parseHCL("a = \"%{ unless x }\"\n")
        #expect(errorLines(diagnostics) == [
            #"1:9: expected "if", "else", "endif", "for" or "endfor" after "%{", found "unless""#
        ])
    }

    @Test func forExpressionsExplainWhatIsMissing() {
        #expect(errorLines(parseHCL("a = [for x y : x]\n").diagnostics) == [
            #"1:12: expected "in" after the variables of the for expression, found "y""#
        ])
        #expect(errorLines(parseHCL("a = [for x in y x]\n").diagnostics) == [
            #"1:17: expected ":" after the collection of the for expression, found "x""#
        ])
        #expect(errorLines(parseHCL("a = {for k, v in m : k v}\n").diagnostics) == [
            #"1:24: expected "=>" between the key and the value of the for expression, found "v""#
        ])
    }

    @Test func conditionalsNeedTheirColon() {
        #expect(errorLines(parseHCL("a = x ? 1 2\n").diagnostics) == [
            #"1:11: expected ":" between the two results of the conditional, found the number 2"#
        ])
    }

    @Test func aStrayCharacterOutsideASequenceIsInvalid() {
        #expect(errorLines(parseHCL("a = 1 ~ 2\nb = x & y\n").diagnostics) == [
            #"1:7: invalid character "~""#, #"2:7: invalid character "&""#,
        ])
    }

    @Test func spansCoverNamesValuesAndTemplates() {
        let (body, _) = parseHCL("count = 10\nname = \"a${b}\"\ndata = <<EOT\nx\nEOT\n")
        #expect(body.attributes[0].nameSpan == SourceSpan(start: 0, end: 5))
        #expect(body.attributes[0].value.span == SourceSpan(start: 8, end: 10))
        #expect(body.attributes[1].value.span == SourceSpan(start: 18, end: 25))
        if case .template(let template) = body.attributes[1].value, case .interpolation(let inner) = template.parts[1] {
            #expect(inner.span == SourceSpan(start: 22, end: 23))
        } else {
            Issue.record("expected a template with an interpolation")
        }
        #expect(body.attributes[2].value.span == SourceSpan(start: 33, end: 44))
    }

    // MARK: - Limits

    @Test func nestingBeyondTheLimitIsOneError() {
        let limits = ParseLimits(maximumDepth: 10)
        #expect(parseHCL("a = " + String(repeating: "[", count: 9) + String(repeating: "]", count: 9) + "\n", limits: limits)
            .diagnostics.isEmpty)
        let (_, diagnostics) = parseHCL("a = " + String(repeating: "[", count: 11) + "\n", limits: limits)
        #expect(errorLines(diagnostics) == ["1:15: nesting is too deep (more than 10 levels)"])
        let (_, blocks) = parseHCL(String(repeating: "a {\n", count: 20), limits: limits)
        #expect(errorLines(blocks) == ["11:3: nesting is too deep (more than 10 levels)"])
    }

    @Test func aFileOverTheSizeLimitIsRejected() {
        let (_, diagnostics) = parseHCL("a = 1\n", limits: ParseLimits(maximumFileBytes: 4))
        #expect(errorLines(diagnostics) == ["1:1: the file is too large (6 bytes; the limit is 4)"])
    }

    @Test func parsingStopsOnceTheDiagnosticsAreFull() {
        let text = String(repeating: "@\n", count: 1000)
        let (_, diagnostics) = parseHCL(text)
        #expect(diagnostics.count == DiagnosticSink.maximumCount)
    }
}
