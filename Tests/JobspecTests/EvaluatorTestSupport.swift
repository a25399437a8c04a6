import ClusterModel
@testable import Jobspec

/// Builds source text and its syntax tree together, so that hand-made trees (used until the
/// parser can produce them) carry exact spans: each node knows its text and, once placed at
/// an offset, the expression with spans pointing into that text.
struct Code {
    let text: String
    let build: (Int) -> Expression

    func at(_ offset: Int) -> Expression { build(offset) }
}

enum Part {
    case text(String)
    case interpolation(Code)
    case ifDirective(Code, [Part], [Part])
    case forDirective(String?, String, Code, [Part])
}

enum Item {
    case attribute(String, Code)
    case block(String, [String], [Item])
}

func span(_ start: Int, _ text: String) -> SourceSpan { SourceSpan(start: start, end: start + text.utf8.count) }

func number(_ value: Double) -> Code {
    let text = NumberFormatting.string(from: value)
    return Code(text: text) { .literal(.number(value), span($0, text)) }
}

func string(_ value: String) -> Code {
    let text = "\"" + value + "\""
    return Code(text: text) { .literal(.string(value), span($0, text)) }
}

func bool(_ value: Bool) -> Code {
    let text = value ? "true" : "false"
    return Code(text: text) { .literal(.bool(value), span($0, text)) }
}

var null: Code { Code(text: "null") { .literal(.null, span($0, "null")) } }

/// `ref("local.env.dcs")`, with optional index steps appended: `ref("env", index: string("X"))`.
func ref(_ path: String, index keys: Code...) -> Code {
    let names = path.split(separator: ".").map(String.init)
    let indexText = keys.map { "[" + $0.text + "]" }.joined()
    let text = path + indexText
    return Code(text: text) { start in
        var offset = start
        let root = names[0]
        let rootSpan = span(offset, root)
        offset += root.utf8.count
        var steps: [TraversalStep] = []
        for name in names.dropFirst() {
            steps.append(.attribute(name, span(offset, "." + name)))
            offset += 1 + name.utf8.count
        }
        for key in keys {
            steps.append(.index(key.at(offset + 1), span(offset, "[" + key.text + "]")))
            offset += 2 + key.text.utf8.count
        }
        return .traversal(Traversal(root: root, rootSpan: rootSpan, steps: steps))
    }
}

/// Lays out children separated by `separator` between `open` and `close`.
private func layout(_ open: String, _ children: [Code], _ separator: String, _ close: String)
    -> (text: String, place: (Int) -> [Expression])
{
    let text = open + children.map(\.text).joined(separator: separator) + close
    return (text, { start in
        var offset = start + open.utf8.count
        var placed: [Expression] = []
        for child in children {
            placed.append(child.at(offset))
            offset += child.text.utf8.count + separator.utf8.count
        }
        return placed
    })
}

func call(_ name: String, _ arguments: Code..., expandFinal: Bool = false) -> Code {
    let (text, place) = layout(name + "(", arguments, ", ", expandFinal ? "...)" : ")")
    return Code(text: text) { .functionCall(name: name, arguments: place($0), expandFinal: expandFinal, span($0, text)) }
}

func tuple(_ items: Code...) -> Code {
    let (text, place) = layout("[", items, ", ", "]")
    return Code(text: text) { .tuple(place($0), span($0, text)) }
}

/// `{ key = value, … }` with bare-name keys.
func object(_ pairs: (String, Code)...) -> Code {
    let keys = pairs.map { pair in Code(text: pair.0) { .traversal(Traversal(root: pair.0, rootSpan: span($0, pair.0))) } }
    var children: [Code] = []
    for (key, pair) in zip(keys, pairs) {
        children.append(key)
        children.append(pair.1)
    }
    // Alternate "key = value" pairs joined by ", ".
    var text = "{ "
    var offsets: [Int] = []
    for (index, child) in children.enumerated() {
        offsets.append(text.utf8.count)
        text += child.text
        if index % 2 == 0 { text += " = " } else if index < children.count - 1 { text += ", " }
    }
    text += " }"
    let fullText = text
    return Code(text: fullText) { start in
        var items: [ObjectItem] = []
        var index = 0
        while index + 1 < children.count {
            items.append(
                ObjectItem(key: children[index].at(start + offsets[index]), value: children[index + 1].at(start + offsets[index + 1])))
            index += 2
        }
        return .object(items, span(start, fullText))
    }
}

func binary(_ left: Code, _ operation: BinaryOperator, _ right: Code) -> Code {
    let (text, place) = layout("", [left, right], " \(operation.rawValue) ", "")
    return Code(text: text) { start in
        let placed = place(start)
        return .binary(operation, placed[0], placed[1], span(start, text))
    }
}

func unary(_ operation: UnaryOperator, _ operand: Code) -> Code {
    let text = operation.rawValue + operand.text
    return Code(text: text) { .unary(operation, operand.at($0 + 1), span($0, text)) }
}

func conditional(_ condition: Code, _ whenTrue: Code, _ whenFalse: Code) -> Code {
    let text = condition.text + " ? " + whenTrue.text + " : " + whenFalse.text
    return Code(text: text) { start in
        let trueStart = start + condition.text.utf8.count + 3
        let falseStart = trueStart + whenTrue.text.utf8.count + 3
        return .conditional(condition.at(start), whenTrue.at(trueStart), whenFalse.at(falseStart), span(start, text))
    }
}

func parenthesized(_ inner: Code) -> Code {
    let text = "(" + inner.text + ")"
    return Code(text: text) { .parenthesized(inner.at($0 + 1), span($0, text)) }
}

func attribute(_ base: Code, _ name: String) -> Code {
    let text = base.text + "." + name
    return Code(text: text) { .getAttribute(base.at($0), name: name, span($0, text)) }
}

func index(_ base: Code, _ key: Code) -> Code {
    let text = base.text + "[" + key.text + "]"
    return Code(text: text) { .index(base.at($0), key: key.at($0 + base.text.utf8.count + 1), span($0, text)) }
}

/// `base[*].a.b`
func splat(_ base: Code, _ names: String...) -> Code {
    let text = base.text + "[*]" + names.map { "." + $0 }.joined()
    return Code(text: text) { start in
        var offset = start + base.text.utf8.count + 3
        var steps: [TraversalStep] = []
        for name in names {
            steps.append(.attribute(name, span(offset, "." + name)))
            offset += 1 + name.utf8.count
        }
        return .splat(base.at(start), steps: steps, span(start, text))
    }
}

/// `[for k, v in collection : value if condition]`, or the object form with `key`.
func forExpression(
    _ firstVariable: String, _ secondVariable: String? = nil, in collection: Code, key: Code? = nil, value: Code,
    grouping: Bool = false, condition: Code? = nil
) -> Code {
    let keyVariable = secondVariable == nil ? nil : firstVariable
    let valueVariable = secondVariable ?? firstVariable
    let open = key == nil ? "[" : "{"
    let close = key == nil ? "]" : "}"
    var text = open + "for " + (keyVariable.map { $0 + ", " } ?? "") + valueVariable + " in "
    let collectionOffset = text.utf8.count
    text += collection.text + " : "
    var keyOffset = 0
    if let key {
        keyOffset = text.utf8.count
        text += key.text + " => "
    }
    let valueOffset = text.utf8.count
    text += value.text + (grouping ? "..." : "")
    var conditionOffset = 0
    if let condition {
        text += " if "
        conditionOffset = text.utf8.count
        text += condition.text
    }
    text += close
    let fullText = text
    return Code(text: fullText) { start in
        .forExpression(
            ForExpression(
                keyVariable: keyVariable, valueVariable: valueVariable, collection: collection.at(start + collectionOffset),
                keyExpression: key?.at(start + keyOffset), valueExpression: value.at(start + valueOffset),
                condition: condition?.at(start + conditionOffset), grouping: grouping, span: span(start, fullText)))
    }
}

/// A quoted template.
func template(_ parts: Part...) -> Code {
    let (text, place) = renderParts(parts)
    let fullText = "\"" + text + "\""
    return Code(text: fullText) { .template(TemplateExpression(parts: place($0 + 1), span: span($0, fullText))) }
}

private func renderParts(_ parts: [Part]) -> (String, (Int) -> [TemplatePart]) {
    var text = ""
    var builders: [(Int) -> TemplatePart] = []
    for part in parts {
        let offset = text.utf8.count
        switch part {
        case .text(let literal):
            text += literal
            builders.append { _ in .literal(literal) }
        case .interpolation(let code):
            text += "${" + code.text + "}"
            builders.append { .interpolation(code.at($0 + offset + 2)) }
        case .ifDirective(let condition, let whenTrue, let whenFalse):
            let (trueText, placeTrue) = renderParts(whenTrue)
            let (falseText, placeFalse) = renderParts(whenFalse)
            let head = "%{if " + condition.text + "}"
            let middle = "%{else}"
            let directive = head + trueText + middle + falseText + "%{endif}"
            text += directive
            builders.append { start in
                let base = start + offset
                return .conditional(
                    condition: condition.at(base + 5), then: placeTrue(base + head.utf8.count),
                    otherwise: placeFalse(base + head.utf8.count + trueText.utf8.count + middle.utf8.count),
                    span(base, directive))
            }
        case .forDirective(let keyVariable, let valueVariable, let collection, let body):
            let (bodyText, placeBody) = renderParts(body)
            let head = "%{for " + (keyVariable.map { $0 + ", " } ?? "") + valueVariable + " in "
            let directive = head + collection.text + "}" + bodyText + "%{endfor}"
            text += directive
            builders.append { start in
                let base = start + offset
                return .loop(
                    keyVariable: keyVariable, valueVariable: valueVariable, collection: collection.at(base + head.utf8.count),
                    body: placeBody(base + head.utf8.count + collection.text.utf8.count + 1), span(base, directive))
            }
        }
    }
    let fullText = text
    _ = fullText
    return (text, { start in builders.map { $0(start) } })
}

/// Renders items as HCL body text starting at `start` and builds the body.
private func renderBody(_ items: [Item], indent: String, start: Int) -> (String, [SyntaxAttribute], [SyntaxBlock]) {
    var text = ""
    var attributes: [SyntaxAttribute] = []
    var blocks: [SyntaxBlock] = []
    for item in items {
        switch item {
        case .attribute(let name, let value):
            let offset = start + text.utf8.count + indent.utf8.count
            text += indent + name + " = " + value.text + "\n"
            attributes.append(
                SyntaxAttribute(name: name, nameSpan: span(offset, name), value: value.at(offset + name.utf8.count + 3)))
        case .block(let type, let labels, let children):
            let typeOffset = start + text.utf8.count + indent.utf8.count
            text += indent + type
            var syntaxLabels: [SyntaxBlock.Label] = []
            for label in labels {
                text += " "
                let quoted = "\"" + label + "\""
                syntaxLabels.append(SyntaxBlock.Label(value: label, span: span(start + text.utf8.count, quoted)))
                text += quoted
            }
            text += " "
            let braceOffset = start + text.utf8.count
            text += "{\n"
            let (inner, innerAttributes, innerBlocks) = renderBody(
                children, indent: indent + "  ", start: start + text.utf8.count)
            text += inner + indent + "}"
            let bodySpan = SourceSpan(start: braceOffset, end: start + text.utf8.count)
            text += "\n"
            blocks.append(
                SyntaxBlock(
                    type: type, typeSpan: span(typeOffset, type), labels: syntaxLabels,
                    body: SyntaxBody(attributes: innerAttributes, blocks: innerBlocks, span: bodySpan)))
        }
    }
    return (text, attributes, blocks)
}

func block(_ type: String, _ labels: String..., items: [Item] = []) -> Item { .block(type, labels, items) }

/// A whole file built from items: its source and syntax tree.
func file(_ items: [Item]) -> (SourceFile, SyntaxBody) {
    let (text, attributes, blocks) = renderBody(items, indent: "", start: 0)
    let source = SourceFile(name: "test.nomad.hcl", text: text)
    return (source, SyntaxBody(attributes: attributes, blocks: blocks, span: SourceSpan(start: 0, end: text.utf8.count)))
}

struct Evaluation {
    let source: SourceFile
    let body: EvaluatedBody
    let diagnostics: [Diagnostic]

    var messages: [String] { diagnostics.map(\.message) }

    func attribute(_ name: String) -> DynamicValue? {
        body.attributes.first { $0.name == name }?.value
    }

    /// The source text a diagnostic points at.
    func text(of diagnostic: Diagnostic) -> String {
        source.text(of: SourceSpan(start: diagnostic.start.offset, end: diagnostic.end.offset))
    }
}

func evaluate(_ items: [Item], variables: [String: VariableInput] = [:]) -> Evaluation {
    let (source, syntax) = file(items)
    var sink = DiagnosticSink(source: source)
    var evaluator = Evaluator(source: source, variables: variables)
    let body = evaluator.evaluateFile(syntax, into: &sink)
    return Evaluation(source: source, body: body, diagnostics: sink.diagnostics)
}

/// Evaluates `x = <code>` after the given items (locals, variables).
func evaluate(_ code: Code, with items: [Item] = [], variables: [String: VariableInput] = [:]) -> Evaluation {
    evaluate(items + [.attribute("x", code)], variables: variables)
}

/// The value of one expression, or nil when it failed.
func value(_ code: Code, with items: [Item] = [], variables: [String: VariableInput] = [:]) -> DynamicValue? {
    evaluate(code, with: items, variables: variables).attribute("x")
}

/// The diagnostics of one expression.
func errors(_ code: Code, with items: [Item] = [], variables: [String: VariableInput] = [:]) -> [String] {
    evaluate(code, with: items, variables: variables).messages
}

extension DynamicValue {
    static func strings(_ items: String...) -> DynamicValue { .list(items.map(DynamicValue.string)) }
    static func numbers(_ items: Double...) -> DynamicValue { .list(items.map(DynamicValue.number)) }
}
