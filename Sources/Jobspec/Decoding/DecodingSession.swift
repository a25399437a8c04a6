import ClusterModel

/// One run of the job decoder over one file. It owns the diagnostics while it works so that
/// every helper can report a problem and carry on: a user sees all the problems of a file at
/// once, each at the key or value that caused it.
struct DecodingSession {
    let source: SourceFile
    var sink: DiagnosticSink
    /// Nesting allowed inside free-form driver `config`; the parser bounds it too, this keeps
    /// the decoder safe on bodies built by other means.
    let maximumDepth: Int
    /// Counted here rather than read from the sink, which stops storing after its cap.
    private(set) var errorCount = 0
    /// Set when parsing or evaluation already failed: the evaluator leaves out attributes it
    /// could not evaluate, so "this block needs X" would only repeat that failure.
    let earlierStageFailed: Bool

    init(source: SourceFile, sink: DiagnosticSink, maximumDepth: Int = ParseLimits.default.maximumDepth) {
        self.source = source
        self.sink = sink
        self.maximumDepth = maximumDepth
        self.earlierStageFailed = sink.hasErrors
    }

    mutating func error(_ message: String, at span: SourceSpan, hint: String? = nil) {
        errorCount += 1
        sink.error(message, at: span, hint: hint)
    }

    mutating func warning(_ message: String, at span: SourceSpan, hint: String? = nil) {
        sink.warning(message, at: span, hint: hint)
    }

    /// Something a block lacks. Held back (but still counted) after an earlier stage failed.
    mutating func reportMissing(
        severity: Diagnostic.Severity = .error, _ message: String, at span: SourceSpan, hint: String? = nil
    ) {
        if severity == .error { errorCount += 1 }
        guard !earlierStageFailed else { return }
        sink.report(severity, message, at: span, hint: hint)
    }

    func line(of span: SourceSpan) -> Int {
        source.location(of: span.start).line
    }

    /// Checks a block's labels and keys against its schema and returns what the decoder may
    /// read. Unknown keys are errors with a did-you-mean hint; features Roost does not run
    /// yet are warnings; a repeated single block is an error at the repetition.
    mutating func open(_ block: EvaluatedBlock, as schema: BlockSchema) -> BlockContent {
        var label: String?
        var labelSpan = block.typeSpan
        if let meaning = schema.label {
            if let first = block.labels.first {
                label = first.value
                labelSpan = first.span
                if block.labels.count > 1 {
                    error(
                        "\(schema.name) block takes one label (its \(meaning)), got \(block.labels.count)",
                        at: block.labels[1].span)
                }
            } else {
                error(
                    "\(schema.name) block needs a label, its \(meaning)", at: block.typeSpan,
                    hint: "write \(schema.name) \"\(meaning)\" { … }")
            }
        } else if let first = block.labels.first {
            error("\(schema.name) block takes no labels", at: first.span, hint: "write \(schema.name) { … }")
        }
        let headerSpan = block.labels.last.map { block.typeSpan.union($0.span) } ?? block.typeSpan
        return open(block.body, as: schema, headerSpan: headerSpan, label: label, labelSpan: labelSpan)
    }

    mutating func open(
        _ body: EvaluatedBody, as schema: BlockSchema, headerSpan: SourceSpan, label: String? = nil,
        labelSpan: SourceSpan = .none
    ) -> BlockContent {
        var attributes: [EvaluatedAttribute] = []
        attributes.reserveCapacity(body.attributes.count)
        for attribute in body.attributes {
            let name = attribute.name
            if let earlier = attributes.first(where: { $0.name == name }) {
                error(
                    "\(name) is set twice in \(schema.name)", at: attribute.nameSpan,
                    hint: "the first is at line \(line(of: earlier.nameSpan))")
                continue
            }
            switch schema.role(of: name) {
            case .attribute, .mapBlock:
                attributes.append(attribute)
            case .unsupportedAttribute:
                warning("`\(name)` is not supported by Roost yet and is ignored", at: attribute.nameSpan)
                attributes.append(attribute)
            case .deprecatedAttribute(let note):
                warning(note, at: attribute.nameSpan)
                attributes.append(attribute)
            case .singleBlock, .repeatedBlock, .unsupportedBlock:
                error(
                    "\(name) is a block in \(schema.name), not an attribute", at: attribute.nameSpan,
                    hint: "write \(name) { … } without the =")
            case nil:
                error(
                    "unknown attribute \"\(name)\" in \(schema.name)", at: attribute.nameSpan,
                    hint: schema.mistakes[name] ?? Suggestion.hint(for: name, among: schema.knownNames))
            }
        }
        var blocks: [EvaluatedBlock] = []
        blocks.reserveCapacity(body.blocks.count)
        for block in body.blocks {
            let type = block.type
            switch schema.role(of: type) {
            case .singleBlock, .mapBlock:
                if let first = blocks.first(where: { $0.type == type }) {
                    error(
                        "only one \(type) block is allowed in \(schema.name)", at: block.typeSpan,
                        hint: "the first is at line \(line(of: first.typeSpan))")
                    continue
                }
                if let attribute = attributes.first(where: { $0.name == type }) {
                    error(
                        "\(type) is set both as an attribute and as a block in \(schema.name)", at: block.typeSpan,
                        hint: "the attribute is at line \(line(of: attribute.nameSpan)); keep one")
                    continue
                }
                blocks.append(block)
            case .repeatedBlock:
                blocks.append(block)
            case .unsupportedBlock:
                warning("`\(type)` block is not supported by Roost yet and is ignored", at: block.typeSpan)
            case .attribute, .unsupportedAttribute, .deprecatedAttribute:
                error(
                    "\(type) is an attribute in \(schema.name), not a block", at: block.typeSpan,
                    hint: "write \(type) = …")
            case nil:
                error(
                    "unknown block \"\(type)\" in \(schema.name)", at: block.typeSpan,
                    hint: schema.mistakes[type] ?? Suggestion.hint(for: type, among: schema.knownNames))
            }
        }
        return BlockContent(
            schema: schema, headerSpan: headerSpan, label: label, labelSpan: labelSpan, attributes: attributes,
            blocks: blocks)
    }
}
