import ClusterModel

/// `-var-file` files: `name = value` lines. Values may use functions and operators but no
/// references, as in Nomad; the result feeds `Evaluator(variables:)` of the job file.
extension Evaluator {
    public mutating func evaluateVariableFile(_ body: SyntaxBody, into sink: inout DiagnosticSink) -> [String: VariableInput] {
        for block in body.blocks {
            sink.error(
                "a variable file holds only name = value lines, not blocks", at: block.typeSpan,
                hint: "write each variable as name = value")
        }
        let saved = (referencesAllowed, runtimeReferencesAllowed)
        referencesAllowed = false
        runtimeReferencesAllowed = false
        defer { (referencesAllowed, runtimeReferencesAllowed) = saved }
        var values: [String: VariableInput] = [:]
        for attribute in body.attributes {
            do throws(EvaluationError) {
                let value = try evaluate(attribute.value)
                try checkShape(of: value, at: attribute.value.span, describing: "the value of \"\(attribute.name)\"")
                values[attribute.name] = .value(value)
            } catch {
                report(error, into: &sink)
            }
        }
        return values
    }
}
