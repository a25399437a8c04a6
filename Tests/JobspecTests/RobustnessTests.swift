import Jobspec
import Testing
import TestSupport

/// A job using most of the syntax: blocks, labels, heredocs, templates, directives,
/// functions, for expressions, splats, comments.
let realisticJob = #"""
    # A realistic job file.
    variable "dcs" {
      default = ["dc1", "dc2"]
    }

    locals {
      envs = { prod = { count = 3 }, "staging": { count = 1 } }
      names = [for k, v in local.envs : upper(k) if v.count > 0]
    }

    job "web" {
      datacenters = var.dcs
      type        = "service"
      priority    = 50 + 10 * 2

      constraint {
        attribute = "${attr.kernel.name}"
        value     = "linux"
      }

      group "api" {
        count = local.envs.prod.count

        network {
          port "http" { to = 8080 }
          port "metrics" {}
        }

        task "server" {
          driver = "docker"

          config {
            image = "nginx:1.25"
            args  = ["-c", "/local/${NOMAD_TASK_NAME}.conf", concat(var.extra...), "${var.suffix}"]
            ports = local.ports[*].name
          }

          env {
            GREETING = "hello \"world\"\n"
            ID       = lookup(var.ids, "x", null) == null ? "none" : var.ids.x
          }

          template {
            destination = "local/config.ini"
            data        = <<-EOT
              [server]
              %{ for name in local.names ~}
              name = ${name}
              %{ endfor ~}
              escaped = $${not} %%{this}
            EOT
          }

          resources {
            cpu    = 500 /* MHz */
            memory = 256 // MiB
          }
        }
      }
    }
    """#

@Suite struct RobustnessTests {
    @Test func theRealisticJobParsesCleanly() {
        #expect(parseHCL(realisticJob).diagnostics.isEmpty)
    }

    @Test func everyTruncationOfAJobFileFailsOrParsesWithoutCrashing() {
        let bytes = Array(realisticJob.utf8)
        let marker = Array("job \"web".utf8)
        let jobStart = (0...(bytes.count - marker.count)).first { Array(bytes[$0..<($0 + marker.count)]) == marker }!
        let lastBrace = bytes.lastIndex(of: UInt8(ascii: "}"))!
        for length in 0...bytes.count {
            let (_, diagnostics) = parseHCL(bytes: Array(bytes[0..<length]))
            if length > jobStart + 20, length <= lastBrace {
                #expect(!diagnostics.isEmpty, "a job cut after \(length) bytes must not parse")
            }
        }
    }

    @Test func randomBytesNeverCrashTheParser() {
        var generator = SplitMix64(seed: 0x5EED_0001)
        for _ in 0..<500 {
            let length = Int(generator.next() % 600)
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            _ = parseHCL(bytes: bytes)
        }
    }

    @Test func randomHCLShapedTextNeverCrashesTheParser() {
        let pieces = [
            "{", "}", "[", "]", "(", ")", "\"", "${", "%{", "}", "~", "<<EOF\n", "<<-EOF\n", "EOF\n", "\n", " ", "=",
            ",", ".", "*", "...", ":", "?", "=>", "!", "-", "+", "&&", "||", "==", "#", "//", "/*", "*/", "\\", "$${",
            "a", "job", "for", "in", "if", "endif", "else", "endfor", "true", "null", "1", "2.5e3", "\"x\"", "f(", "0",
        ]
        var generator = SplitMix64(seed: 0x5EED_0002)
        for _ in 0..<1500 {
            let count = Int(generator.next() % 80)
            let text = (0..<count).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            _ = parseHCL(text)
        }
    }

    @Test func mutatedJobFilesNeverCrashTheParser() {
        let original = Array(realisticJob.utf8)
        var generator = SplitMix64(seed: 0x5EED_0003)
        for _ in 0..<400 {
            var bytes = original
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                case 1: bytes.remove(at: position)
                default: bytes.insert(Array("{}[]()\"$%~<\n\\".utf8)[Int(generator.next() % 13)], at: position)
                }
            }
            _ = parseHCL(bytes: bytes)
        }
    }

    @Test(arguments: [
        ("brackets", "a = ", "[", ""),
        ("objects", "a = ", "{", ""),
        ("parentheses", "a = ", "(", ""),
        ("blocks", "", "b {\n", ""),
        ("interpolations", "a = ", "\"${", ""),
        ("directives", "a = \"", "%{ if x }", "\""),
        ("heredocs", "a = ", "<<EOF\n${", ""),
        ("calls", "a = ", "f(", ""),
        ("unary operators", "a = ", "-!", "1"),
        ("binary operators", "a = ", "1 + ", "1"),
        ("conditionals", "a = ", "x ? y : ", "z"),
        ("attribute chains on calls", "a = f()", ".x", ""),
        ("index chains on calls", "a = f()", "[0]", ""),
        ("splats", "a = x", "[*].y", ""),
    ])
    func tenThousandLevelsOfNestingGiveOneError(name: String, prefix: String, level: String, suffix: String) {
        let text = prefix + String(repeating: level, count: 10_000) + suffix + "\n"
        let (_, diagnostics) = parseHCL(text)
        let messages = diagnostics.map(\.message)
        #expect(messages == ["nesting is too deep (more than 128 levels)"], "\(name)")
    }

    @Test func longFlatListsAndReferencesAreNotNesting() {
        let list = "a = [" + String(repeating: "1, ", count: 50_000) + "]\n"
        #expect(parseHCL(list).diagnostics.isEmpty)
        let traversal = "a = x" + String(repeating: ".y", count: 50_000) + "\n"
        #expect(parseHCL(traversal).diagnostics.isEmpty)
        let template = "a = \"" + String(repeating: "${x}", count: 50_000) + "\"\n"
        #expect(parseHCL(template).diagnostics.isEmpty)
    }

    @Test func lookingAheadPastMillionsOfBlankLinesWorks() {
        let text = "a = [for" + String(repeating: "\n", count: 5_000_000) + "x in y : x]\nb = {\n\n\n c = 1 }\n"
        let (body, diagnostics) = parseHCL(text)
        #expect(diagnostics.isEmpty)
        #expect(render(body) == "a = [for x in y : x]\nb = {\"c\" = 1}")
    }

    @Test func fiftyMegabytesOfGarbageStopAtTheDiagnosticLimit() {
        var generator = SplitMix64(seed: 0x5EED_0004)
        var bytes = [UInt8](repeating: 0, count: 50_000_000)
        for index in stride(from: 0, to: bytes.count, by: 8) {
            let word = generator.next()
            for offset in 0..<8 where index + offset < bytes.count {
                bytes[index + offset] = UInt8(truncatingIfNeeded: word >> (offset * 8))
            }
        }
        let (_, diagnostics) = parseHCL(bytes: bytes)
        #expect(diagnostics.count == DiagnosticSink.maximumCount)
    }

    @Test func fiftyMegabyteLinesAreSkippedOrRejectedInOnePass() {
        let skipped = Array("foo bar = ".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 50_000_000) + [0x0A]
        #expect(errorLines(parseHCL(bytes: skipped).diagnostics) == [#"1:9: expected "{" after the labels of block "foo", found "=""#])
        let unterminated = Array("a = \"".utf8) + [UInt8](repeating: UInt8(ascii: "y"), count: 50_000_000)
        #expect(errorLines(parseHCL(bytes: unterminated).diagnostics) == ["1:5: unterminated string"])
        let comment = Array("/*".utf8) + [UInt8](repeating: UInt8(ascii: "*"), count: 50_000_000) + Array("/".utf8)
        #expect(parseHCL(bytes: comment).diagnostics.isEmpty)
        let brackets = Array("a = ".utf8) + [UInt8](repeating: UInt8(ascii: "["), count: 50_000_000)
        #expect(parseHCL(bytes: brackets).diagnostics.map(\.message) == ["nesting is too deep (more than 128 levels)"])
    }
}

/// Inputs the fuzzer found; each once made the parser misbehave.
@Suite struct FuzzRegressionTests {
    /// A leading comment with more invalid bytes than the diagnostics list holds aborted the
    /// parse while the first token was read; the parser then spun forever on the token after
    /// the comment instead of treating the file as ended.
    @Test(.timeLimit(.minutes(1))) func diagnosticsFilledByTheFirstTokenEndTheParse() {
        let bytes = Array("/*".utf8) + [UInt8](repeating: 0xFF, count: 300) + Array("*/)\njob \"x\" {}\n".utf8)
        let file = JobFile.load(SourceFile(name: "fuzz.hcl", bytes: bytes))
        #expect(file.job == nil)
        #expect(file.diagnostics.count == DiagnosticSink.maximumCount)
    }
}
