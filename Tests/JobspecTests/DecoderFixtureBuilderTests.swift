import ClusterModel
import Testing

@testable import Jobspec

/// A tiny builder for decoder inputs that do not depend on the parser: it writes HCL-like
/// text and the matching `EvaluatedBody` together, so every span points at real text and
/// diagnostics carry true line numbers.
///
///     let file = DecoderFixture {
///         block("job", "web") {
///             attr("type", "batch")
///         }
///     }
struct DecoderFixture {
    indirect enum Node {
        case attribute(String, DynamicValue)
        case block(String, [String], [Node])
        /// Lines built elsewhere, spliced in place.
        case lines([Node])
    }

    @resultBuilder
    enum Builder {
        static func buildExpression(_ node: Node) -> [Node] { [node] }
        static func buildBlock(_ parts: [Node]...) -> [Node] { parts.flatMap { $0 } }
        static func buildOptional(_ part: [Node]?) -> [Node] { part ?? [] }
        static func buildEither(first: [Node]) -> [Node] { first }
        static func buildEither(second: [Node]) -> [Node] { second }
        static func buildArray(_ parts: [[Node]]) -> [Node] { parts.flatMap { $0 } }
    }

    let source: SourceFile
    let body: EvaluatedBody

    init(name: String = "test.hcl", @Builder _ content: () -> [Node]) {
        var writer = Writer()
        let (attributes, blocks) = writer.write(content(), indent: 0)
        source = SourceFile(name: name, text: writer.text)
        body = EvaluatedBody(
            attributes: attributes, blocks: blocks, span: SourceSpan(start: 0, end: writer.text.utf8.count))
    }

    /// Runs the decoder alone (no parser, no evaluator).
    func decoded() -> DecodeOutcome {
        var sink = DiagnosticSink(source: source)
        let job = JobDecoder(source: source).decode(body, into: &sink)
        return DecodeOutcome(job: job, diagnostics: sink.diagnostics, source: source)
    }

    /// The text the fixture stands for, one attribute or block header per line.
    var text: String { String(decoding: source.bytes, as: UTF8.self) }

    private struct Writer {
        var text = ""
        var offset: Int { text.utf8.count }

        mutating func write(_ nodes: [Node], indent: Int) -> ([EvaluatedAttribute], [EvaluatedBlock]) {
            var attributes: [EvaluatedAttribute] = []
            var blocks: [EvaluatedBlock] = []
            let padding = String(repeating: "  ", count: indent)
            for node in nodes {
                switch node {
                case .attribute(let name, let value):
                    text += padding
                    let nameStart = offset
                    text += name
                    let nameSpan = SourceSpan(start: nameStart, end: offset)
                    text += " = "
                    let valueStart = offset
                    text += Self.literal(value)
                    let valueSpan = SourceSpan(start: valueStart, end: offset)
                    text += "\n"
                    attributes.append(EvaluatedAttribute(name: name, value: value, nameSpan: nameSpan, valueSpan: valueSpan))
                case .lines(let spliced):
                    let (moreAttributes, moreBlocks) = write(spliced, indent: indent)
                    attributes += moreAttributes
                    blocks += moreBlocks
                case .block(let type, let labels, let children):
                    text += padding
                    let typeStart = offset
                    text += type
                    let typeSpan = SourceSpan(start: typeStart, end: offset)
                    var labelValues: [SyntaxBlock.Label] = []
                    for label in labels {
                        text += " "
                        let labelStart = offset
                        text += Self.literal(.string(label))
                        labelValues.append(SyntaxBlock.Label(value: label, span: SourceSpan(start: labelStart, end: offset)))
                    }
                    text += " "
                    let bodyStart = offset
                    text += "{\n"
                    let (innerAttributes, innerBlocks) = write(children, indent: indent + 1)
                    text += padding + "}"
                    let bodySpan = SourceSpan(start: bodyStart, end: offset)
                    text += "\n"
                    blocks.append(
                        EvaluatedBlock(
                            type: type, typeSpan: typeSpan, labels: labelValues,
                            body: EvaluatedBody(attributes: innerAttributes, blocks: innerBlocks, span: bodySpan)))
                }
            }
            return (attributes, blocks)
        }

        static func literal(_ value: DynamicValue) -> String {
            switch value {
            case .null: return "null"
            case .bool(let flag): return flag ? "true" : "false"
            case .number(let number): return NumberFormatting.string(from: number)
            case .string(let text):
                var escaped = "\""
                for character in text {
                    switch character {
                    case "\"": escaped += "\\\""
                    case "\\": escaped += "\\\\"
                    case "\n": escaped += "\\n"
                    default: escaped.append(character)
                    }
                }
                return escaped + "\""
            case .list(let items): return "[" + items.map(literal).joined(separator: ", ") + "]"
            case .map(let entries):
                return "{ " + entries.sorted { $0.key < $1.key }.map { "\($0.key) = \(literal($0.value))" }
                    .joined(separator: ", ") + " }"
            }
        }
    }
}

func attr(_ name: String, _ value: DynamicValue) -> DecoderFixture.Node { .attribute(name, value) }
func attr(_ name: String, _ value: String) -> DecoderFixture.Node { .attribute(name, .string(value)) }
func attr(_ name: String, _ value: Int) -> DecoderFixture.Node { .attribute(name, .number(Double(value))) }
func attr(_ name: String, _ value: Double) -> DecoderFixture.Node { .attribute(name, .number(value)) }
func attr(_ name: String, _ value: Bool) -> DecoderFixture.Node { .attribute(name, .bool(value)) }
func attr(_ name: String, _ value: [String]) -> DecoderFixture.Node {
    .attribute(name, .list(value.map(DynamicValue.string)))
}
func attr(_ name: String, _ value: [String: String]) -> DecoderFixture.Node {
    .attribute(name, .map(value.mapValues(DynamicValue.string)))
}
func block(
    _ type: String, _ labels: String..., @DecoderFixture.Builder body: () -> [DecoderFixture.Node] = { [] }
) -> DecoderFixture.Node {
    .block(type, labels, body())
}

/// What a decoder run produced, with lookups that keep tests short.
struct DecodeOutcome {
    let job: JobSpec?
    let diagnostics: [Diagnostic]
    let source: SourceFile

    var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }

    func error(containing text: String) -> Diagnostic? {
        errors.first { $0.message.contains(text) }
    }

    func warning(containing text: String) -> Diagnostic? {
        warnings.first { $0.message.contains(text) }
    }

    /// All diagnostics rendered, for failure messages.
    var report: String {
        diagnostics.isEmpty ? "(no diagnostics)" : diagnostics.map { $0.rendered(in: source) }.joined(separator: "\n")
    }
}

/// A job with one group and one task, the smallest thing that runs; `group` and `task`
/// add lines to those blocks, `job` to the job block.
func minimalJob(
    type: String? = nil,
    @DecoderFixture.Builder job: () -> [DecoderFixture.Node] = { [] },
    @DecoderFixture.Builder group: () -> [DecoderFixture.Node] = { [] },
    @DecoderFixture.Builder task: () -> [DecoderFixture.Node] = { [] }
) -> DecoderFixture {
    let jobLines = job()
    let groupLines = group()
    let taskLines = task()
    return DecoderFixture {
        block("job", "web") {
            if let type { attr("type", type) }
            DecoderFixture.Node.lines(jobLines)
            block("group", "app") {
                DecoderFixture.Node.lines(groupLines)
                block("task", "server") {
                    attr("driver", "raw_exec")
                    DecoderFixture.Node.lines(taskLines)
                }
            }
        }
    }
}

@Suite struct DecoderFixtureBuilderTests {
    @Test func eachAttributeAndBlockHeaderSitsOnItsOwnLine() {
        let file = DecoderFixture {
            block("job", "web") {
                attr("priority", 70)
            }
        }
        #expect(file.text == "job \"web\" {\n  priority = 70\n}\n")
        let attribute = file.body.blocks[0].body.attributes[0]
        #expect(file.source.location(of: attribute.nameSpan.start).line == 2)
        #expect(file.source.text(of: attribute.valueSpan) == "70")
    }
}
