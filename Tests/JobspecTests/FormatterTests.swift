import Jobspec
import Testing
import TestSupport

private func format(_ text: String) -> String? {
    let source = SourceFile(name: "test.hcl", text: text)
    var sink = DiagnosticSink(source: source)
    return Formatter.format(source, into: &sink)
}

@Suite struct FormatterTests {
    @Test func nestedBlocksAreIndentedByTwoSpaces() {
        #expect(format("job \"x\" {\ngroup \"g\" {\n        count = 1\n}\n}\n") == """
            job "x" {
              group "g" {
                count = 1
              }
            }

            """)
    }

    @Test func operatorsAndSeparatorsGetSingleSpaces() {
        #expect(format("a=1+2*x\nb=[ 1,2 ,3 ]\nc={a=1,b=2}\nd=f( x ,y... )\ne = - 1\nf = ! a\n") == """
            a = 1 + 2 * x
            b = [1, 2, 3]
            c = { a = 1, b = 2 }
            d = f(x, y...)
            e = -1
            f = !a

            """)
    }

    @Test func referencesSplatsAndForExpressionsStayCompact() {
        #expect(format("a = var.list [ * ] . id\nb = x . * . y\nc = [for s in xs: upper(s) if s!=\"\"]\nd = {for k,v in m: k=>v...}\ne = p?q:r\nf = m [\"k\"] [0]\n") == """
            a = var.list[*].id
            b = x.*.y
            c = [for s in xs : upper(s) if s != ""]
            d = { for k, v in m : k => v... }
            e = p ? q : r
            f = m["k"][0]

            """)
    }

    @Test func equalsSignsOfConsecutiveOneLineAttributesAlign() {
        #expect(format("a = 1\nlonger_name = 2\nb = [\n  1,\n]\nc = 3\nmuch_longer = 4\n\nd = 5\n") == """
            a           = 1
            longer_name = 2
            b = [
              1,
            ]
            c           = 3
            much_longer = 4

            d = 5

            """)
    }

    @Test func aCommentOrBlockBreaksTheAlignmentRun() {
        #expect(format("a = 1\n# note\nbbb = 2\nc {}\ndd = 3\n") == """
            a = 1
            # note
            bbb = 2
            c {}
            dd = 3

            """)
    }

    @Test func commentsAreKeptAndTrailingOnesAlign() {
        #expect(format("# head\nx {\n  a = 1 # one\n  bbb = 2    // two   \n  /* block */\n}\n") == """
            # head
            x {
              a   = 1 # one
              bbb = 2 // two
              /* block */
            }

            """)
    }

    @Test func blankLinesCollapseAndTrailingWhitespaceGoes() {
        #expect(format("\n\n\na = 1   \n\n\n\nb = 2\t\n\n\n") == "a = 1\n\nb = 2\n")
    }

    @Test func windowsLineEndingsBecomeNewlines() {
        #expect(format("a {\r\n  b = 1\r\n}\r\n") == "a {\n  b = 1\n}\n")
    }

    @Test func aMissingFinalNewlineIsAdded() {
        #expect(format("a = 1") == "a = 1\n")
        #expect(format("") == "")
    }

    /// A heredoc belongs to the line that opens it, so it joins the alignment run.
    @Test func stringsAndHeredocsAreCopiedUntouched() {
        let text = """
            x {
            a = "  spaced   ${ b  +  c }  "
                data = <<EOT
              keep   this   
            ${ weird  }
               EOT
            flush = <<-EOT
                  indented
                EOT
            }

            """
        #expect(format(text) == """
            x {
              a     = "  spaced   ${ b  +  c }  "
              data  = <<EOT
              keep   this   
            ${ weird  }
               EOT
              flush = <<-EOT
                  indented
                EOT
            }

            """)
    }

    @Test func multiLineCollectionsIndentTheirContents() {
        #expect(format("a = [\n\"x\",\n[\n1,\n],\n]\nb = {\nk = 1\n  l = {\nm = 2\n}\n}\nc = f(\n1,\n2)\n") == """
            a = [
              "x",
              [
                1,
              ],
            ]
            b = {
              k = 1
              l = {
                m = 2
              }
            }
            c = f(
              1,
              2)

            """)
    }

    @Test func listsOfObjectsKeepTheirClosersAtTheOuterLevel() {
        #expect(format("a = [{\nb = 1\n}, {\nc = 2\n}]\n") == """
            a = [{
              b = 1
            }, {
              c = 2
            }]

            """)
    }

    @Test func aFileWithSyntaxErrorsIsNotFormatted() {
        let source = SourceFile(name: "bad.hcl", text: "a = [1,\nb = 2\n")
        var sink = DiagnosticSink(source: source)
        #expect(Formatter.format(source, into: &sink) == nil)
        #expect(sink.hasErrors)
    }

    @Test func formattingTwiceChangesNothingMore() throws {
        var inputs = [realisticJob, "a=1\nbb   =  [ 1 ,\n2]\n  # c\nx{y{z=1}}\n"]
        if let directory = conformanceDirectory() {
            inputs += try corpusFiles(in: directory).map { String(decoding: $0.bytes, as: UTF8.self) }
        }
        for input in inputs {
            let once = try #require(format(input))
            #expect(format(once) == once)
        }
    }

    @Test func formattingNeverChangesWhatAFileMeans() throws {
        var inputs = [("realistic", realisticJob)]
        if let directory = conformanceDirectory() {
            inputs += try corpusFiles(in: directory).map { ($0.name, String(decoding: $0.bytes, as: UTF8.self)) }
        } else {
            print("skipped: the Nomad jobspec corpus was not found (set ROOST_CONFORMANCE_DIR)")
        }
        for (name, input) in inputs {
            let formatted = try #require(format(input), "\(name)")
            let before = parseHCL(input)
            let after = parseHCL(formatted)
            #expect(after.diagnostics.isEmpty, "\(name)")
            #expect(render(after.body) == render(before.body), "\(name)")
        }
    }

    @Test func corpusFilesWrittenByNomadFmtComeOutUnchanged() throws {
        guard let directory = conformanceDirectory() else {
            print("skipped: the Nomad jobspec corpus was not found (set ROOST_CONFORMANCE_DIR)")
            return
        }
        for file in try corpusFiles(in: directory) where ["sleep.hcl", "env.hcl", "example-short.nomad.hcl"].contains(file.name) {
            let text = String(decoding: file.bytes, as: UTF8.self)
            #expect(format(text) == text, "\(file.name)")
        }
    }

    @Test func mutatedFilesAreRefusedOrFormattedWithoutChangingTheirMeaning() {
        let original = Array(realisticJob.utf8)
        var generator = SplitMix64(seed: 0xF0F0_0001)
        var formattedCount = 0
        for _ in 0..<300 {
            var bytes = original
            let position = Int(generator.next() % UInt64(bytes.count))
            let inserted = Array(" \n\t{}[](),=-!*.#\"".utf8)[Int(generator.next() % 17)]
            if generator.next() % 2 == 0 { bytes.insert(inserted, at: position) } else { bytes.remove(at: position) }
            let text = String(decoding: bytes, as: UTF8.self)
            guard let formatted = format(text) else { continue }
            formattedCount += 1
            #expect(render(parseHCL(formatted).body) == render(parseHCL(text).body))
            #expect(format(formatted) == formatted)
        }
        #expect(formattedCount > 0)
    }

    /// Found by the fuzzer: a comment ending in several carriage returns lost one per pass.
    @Test func carriageReturnsEndingACommentAreRemovedAtOnce() {
        let text = "\n" + String(repeating: "\r", count: 31) + "#" + String(repeating: "\r", count: 88)
        let once = format(text)
        #expect(once == "#\n")
        #expect(once.flatMap(format) == once)
    }
}
