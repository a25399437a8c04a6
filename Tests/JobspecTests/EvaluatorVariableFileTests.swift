import ClusterModel
@testable import Jobspec
import Testing

@Suite struct EvaluatorVariableFileTests {
    private func read(_ items: [Item]) -> ([String: VariableInput], [String]) {
        let (source, syntax) = file(items)
        var sink = DiagnosticSink(source: source)
        var evaluator = Evaluator(source: source)
        let values = evaluator.evaluateVariableFile(syntax, into: &sink)
        return (values, sink.diagnostics.map(\.message))
    }

    @Test func aVariableFileGivesEvaluatedValues() {
        let (values, messages) = read([
            .attribute("region", string("eu")), .attribute("dcs", tuple(string("a"), call("upper", string("b")))),
        ])
        #expect(messages.isEmpty)
        #expect(values == ["region": .value(.string("eu")), "dcs": .value(.strings("a", "B"))])
    }

    @Test func aVariableFileCannotUseReferencesOrBlocks() {
        let (values, messages) = read([.attribute("a", ref("attr.kernel.name")), .attribute("b", ref("var.x")), block("job", "x")])
        #expect(values.isEmpty)
        #expect(messages == [
            "a variable file holds only name = value lines, not blocks",
            "\"attr\" cannot be used here: only literal values are allowed",
            "\"var\" cannot be used here: a variable's default and a value given for a variable must be literal values",
        ])
    }
}
