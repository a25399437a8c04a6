import ClusterModel
import Foundation
import Jobspec

/// Parses `text` as a file named `test.hcl`.
func parseHCL(_ text: String, limits: ParseLimits = .default) -> (body: SyntaxBody, diagnostics: [Diagnostic]) {
    parseHCL(bytes: Array(text.utf8), limits: limits)
}

func parseHCL(bytes: [UInt8], limits: ParseLimits = .default) -> (body: SyntaxBody, diagnostics: [Diagnostic]) {
    let source = SourceFile(name: "test.hcl", bytes: bytes)
    var sink = DiagnosticSink(source: source)
    var parser = Parser(source: source, limits: limits)
    let body = parser.parseFile(into: &sink)
    return (body, sink.diagnostics)
}

/// `line:column: message` for each diagnostic, the form the tests compare.
func errorLines(_ diagnostics: [Diagnostic]) -> [String] {
    diagnostics.map { "\($0.start.line):\($0.start.column): \($0.message)" }
}

/// The value of the single attribute in `text`, which must parse cleanly.
func expression(_ text: String) -> String {
    let (body, diagnostics) = parseHCL("x = \(text)\n")
    guard diagnostics.isEmpty, let attribute = body.attributes.first else {
        return "errors: " + errorLines(diagnostics).joined(separator: "; ")
    }
    return render(attribute.value)
}

/// A compact, unambiguous rendering of a body: one item per line, blocks indented.
func render(_ body: SyntaxBody, indent: String = "") -> String {
    var lines: [String] = []
    for attribute in body.attributes {
        lines.append("\(indent)\(attribute.name) = \(render(attribute.value))")
    }
    for block in body.blocks {
        let labels = block.labels.map { " \"\($0.value)\"" }.joined()
        let inner = render(block.body, indent: indent + "  ")
        lines.append("\(indent)\(block.type)\(labels) {" + (inner.isEmpty ? "}" : "\n\(inner)\n\(indent)}"))
    }
    return lines.joined(separator: "\n")
}

/// A compact, unambiguous rendering of an expression tree (fully parenthesised operators).
func render(_ expression: Jobspec.Expression) -> String {
    switch expression {
    case .literal(let value, _):
        return render(value)
    case .template(let template):
        return "template(" + template.parts.map(render).joined(separator: ", ") + ")"
    case .traversal(let traversal):
        return traversal.root + traversal.steps.map(render).joined()
    case .getAttribute(let base, let name, _):
        return "get(\(render(base)), \(name))"
    case .index(let base, let key, _):
        return "index(\(render(base)), \(render(key)))"
    case .splat(let base, let steps, _):
        return "splat(\(render(base)), \(steps.map(render).joined()))"
    case .tuple(let elements, _):
        return "[" + elements.map(render).joined(separator: ", ") + "]"
    case .object(let items, _):
        return "{" + items.map { "\(render($0.key)) = \(render($0.value))" }.joined(separator: ", ") + "}"
    case .functionCall(let name, let arguments, let expandFinal, _):
        return "\(name)(" + arguments.map(render).joined(separator: ", ") + (expandFinal ? "..." : "") + ")"
    case .unary(let operation, let operand, _):
        return "(\(operation.rawValue)\(render(operand)))"
    case .binary(let operation, let left, let right, _):
        return "(\(render(left)) \(operation.rawValue) \(render(right)))"
    case .conditional(let condition, let thenValue, let elseValue, _):
        return "(\(render(condition)) ? \(render(thenValue)) : \(render(elseValue)))"
    case .forExpression(let loop):
        let variables = (loop.keyVariable.map { "\($0), " } ?? "") + loop.valueVariable
        let condition = loop.condition.map { " if \(render($0))" } ?? ""
        if let key = loop.keyExpression {
            return "{for \(variables) in \(render(loop.collection)) : \(render(key)) => \(render(loop.valueExpression))"
                + (loop.grouping ? "..." : "") + condition + "}"
        }
        return "[for \(variables) in \(render(loop.collection)) : \(render(loop.valueExpression))\(condition)]"
    case .parenthesized(let inner, _):
        return "paren(\(render(inner)))"
    }
}

func render(_ value: DynamicValue) -> String {
    switch value {
    case .null: "null"
    case .bool(let value): "\(value)"
    case .number(let value): NumberFormatting.string(from: value)
    case .string(let value): value.debugDescription
    case .list(let values): "list[" + values.map(render).joined(separator: ", ") + "]"
    case .map(let values): "map{" + values.keys.sorted().map { "\($0): \(render(values[$0]!))" }.joined(separator: ", ") + "}"
    }
}

func render(_ step: TraversalStep) -> String {
    switch step {
    case .attribute(let name, _): ".\(name)"
    case .index(let key, _): "[\(render(key))]"
    }
}

func render(_ part: TemplatePart) -> String {
    switch part {
    case .literal(let text):
        return text.debugDescription
    case .interpolation(let expression):
        return "${\(render(expression))}"
    case .conditional(let condition, let thenParts, let otherwise, _):
        return "if(\(render(condition))){" + thenParts.map(render).joined(separator: ", ") + "}else{"
            + otherwise.map(render).joined(separator: ", ") + "}"
    case .loop(let keyVariable, let valueVariable, let collection, let body, _):
        let variables = (keyVariable.map { "\($0), " } ?? "") + valueVariable
        return "for(\(variables) in \(render(collection))){" + body.map(render).joined(separator: ", ") + "}"
    }
}

struct CorpusFile {
    var name: String
    var bytes: [UInt8]
}

/// The Nomad corpus: `<package root>/../shared/conformance/nomad-jobspecs`, else
/// `$ROOST_CONFORMANCE_DIR/nomad-jobspecs` (or that folder itself); nil when absent.
func conformanceDirectory() -> String? {
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    var candidates = [packageRoot.appendingPathComponent("../shared/conformance/nomad-jobspecs").standardized.path]
    if let variable = ProcessInfo.processInfo.environment["ROOST_CONFORMANCE_DIR"] {
        candidates += [variable + "/nomad-jobspecs", variable]
    }
    return candidates.first { directory in
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.contains { $0.hasSuffix(".hcl") || $0.hasSuffix(".nomad") }
    }
}

/// The `.hcl` and `.nomad` files of a directory, sorted by name.
func corpusFiles(in directory: String) throws -> [CorpusFile] {
    try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        .filter { $0.hasSuffix(".hcl") || $0.hasSuffix(".nomad") }
        .map { name in
            let data = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(name))
            return CorpusFile(name: name, bytes: [UInt8](data))
        }
}
