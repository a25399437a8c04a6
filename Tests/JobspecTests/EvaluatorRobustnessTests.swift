import ClusterModel
import Foundation
@testable import Jobspec
import Testing
import TestSupport

/// Mutated corpus files and hostile expressions go through parse and evaluation without
/// crashing; whatever they do, the evaluator reports errors instead.
@Suite struct EvaluatorRobustnessTests {
    private func run(_ bytes: [UInt8]) -> [Diagnostic] {
        let source = SourceFile(name: "mutant.hcl", bytes: bytes)
        var sink = DiagnosticSink(source: source)
        var parser = Parser(source: source)
        let syntax = parser.parseFile(into: &sink)
        var evaluator = Evaluator(source: source, variables: ["env": .raw("prod"), "X": .raw("[1")])
        _ = evaluator.evaluateFile(syntax, into: &sink)
        return sink.diagnostics
    }

    @Test(.enabled(if: EvaluatorCorpus.isPresent, "the shared Nomad corpus is not beside the repository"))
    func mutatedCorpusFilesNeverCrashTheEvaluator() throws {
        let names = [
            "jobspec2-parse_test-dynamic.hcl", "jobspec2-parse_test-functions-and-lookups.hcl",
            "jobspec2-parse_test-locals.hcl", "jobspec2-parse_test-vars-and-functions.hcl", "basic.hcl", "xyz.hcl",
        ]
        let fragments = Array(
            [
                "${", "}", "%{for x in [1,2]}", "%{endfor}", "[for k, v in local.x : v]", "range(100000)", "local.a",
                "var.env", "dynamic \"x\" {", "for_each", "...", "(", ")", "[*]", "format(\"%d\", 1.5)", "jsondecode(\"[[[\")",
                "lookup({}, \"a\")", "\"", "\n", "==", "? 1 :", "upper", "content {", "locals { a = local.a }",
            ].map { Array($0.utf8) })
        var random = SplitMix64(seed: 42)
        for name in names {
            let original = try [UInt8](Data(contentsOf: EvaluatorCorpusTests.corpus.appendingPathComponent(name)))
            for _ in 0..<150 {
                var bytes = original
                for _ in 0..<(1 + random.below(4)) {
                    let position = random.below(bytes.count)
                    switch random.below(3) {
                    case 0: bytes.insert(contentsOf: fragments[random.below(fragments.count)], at: position)
                    case 1: bytes.removeSubrange(position..<min(bytes.count, position + random.below(12)))
                    default: bytes[position] = UInt8(truncatingIfNeeded: random.next())
                    }
                    if bytes.isEmpty { bytes = [0x20] }
                }
                _ = run(bytes)
            }
        }
    }

    @Test func hostileExpressionsAreReportedNotFatal() {
        let cases = [
            "x = range(1e9)",
            "x = [for i in range(1000000) : [for j in range(1000000) : j]]",
            "locals { a = \"${local.b}${local.b}\"\n b = \"${local.a}\" }\nx = local.a",
            "x = format(\"%1000000000000d\", 1)",
            "x = jsondecode(\"\(String(repeating: "[", count: 10000))\")",
            "x = parseint(\"\(String(repeating: "9", count: 400))\", 10)",
            "x = pow(10, 400)",
            "x = 1e308 * 10",
            "x = substr(\"abc\", 9007199254740993, 9007199254740993)",
            "x = element([1], 1e300)",
            "x = indent(1e300, \"a\")",
            "x = slice([1], -1, 1e18)",
        ]
        for text in cases {
            let diagnostics = run(Array(text.utf8))
            #expect(!diagnostics.isEmpty, "\(text)")
        }
    }
}

extension SplitMix64 {
    /// A number in `0..<bound` (0 when the bound is not positive).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(1, bound))) }
}
