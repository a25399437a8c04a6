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

    /// Records `name` in `declarations`, or reports it as `kind` "declared twice" (pointing
    /// back at the first) and returns false, so that the repetition is left out.
    mutating func declareOnce(
        _ name: String, at span: SourceSpan, in declarations: inout FirstDeclarations, kind: String, scope: String,
        note: String = ""
    ) -> Bool {
        if let first = declarations.span(of: name) {
            error("\(kind) \"\(name)\" is declared twice in \(scope)", at: span, hint: "the first is at line \(line(of: first))\(note)")
            return false
        }
        declarations.record(name, at: span)
        return true
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
        // Most blocks are clean: then the content shares the body's arrays instead of copying
        // them. `kept` is only built once a key is dropped.
        var seenAttributes = KeySet()
        var keptAttributes: [EvaluatedAttribute]?
        for index in body.attributes.indices {
            let name = body.attributes[index].name
            let nameSpan = body.attributes[index].nameSpan
            var keep = false
            if let key = schema.key(for: name) {
                if seenAttributes.insert(key.slot) {
                    switch key.role {
                    case .attribute, .mapBlock:
                        keep = true
                    case .unsupportedAttribute:
                        warning("`\(name)` is not supported by Roost yet and is ignored", at: nameSpan)
                        keep = true
                    case .deprecatedAttribute:
                        warning(schema.deprecatedAttributes[name] ?? "`\(name)` is deprecated", at: nameSpan)
                        keep = true
                    case .singleBlock, .repeatedBlock, .unsupportedBlock:
                        seenAttributes.remove(key.slot)
                        error(
                            "\(name) is a block in \(schema.name), not an attribute", at: nameSpan,
                            hint: "write \(name) { … } without the =")
                    }
                } else {
                    let kept = keptAttributes ?? Array(body.attributes[..<index])
                    let earlier = kept.first { $0.name == name }
                    error(
                        "\(name) is set twice in \(schema.name)", at: nameSpan,
                        hint: earlier.map { "the first is at line \(line(of: $0.nameSpan))" })
                }
            } else {
                error(
                    "unknown attribute \"\(name)\" in \(schema.name)", at: nameSpan,
                    hint: schema.mistakes[name] ?? Suggestion.hint(for: name, among: schema.knownNames))
            }
            if keep {
                keptAttributes?.append(body.attributes[index])
            } else if keptAttributes == nil {
                keptAttributes = Array(body.attributes[..<index])
            }
        }
        let attributes = keptAttributes ?? body.attributes

        var seenBlocks = KeySet()
        var keptBlocks: [EvaluatedBlock]?
        for index in body.blocks.indices {
            let type = body.blocks[index].type
            let typeSpan = body.blocks[index].typeSpan
            var keep = false
            if let key = schema.key(for: type) {
                switch key.role {
                case .singleBlock, .mapBlock:
                    if !seenBlocks.insert(key.slot) {
                        let first = (keptBlocks ?? Array(body.blocks[..<index])).first { $0.type == type }
                        error(
                            "only one \(type) block is allowed in \(schema.name)", at: typeSpan,
                            hint: first.map { "the first is at line \(line(of: $0.typeSpan))" })
                    } else if seenAttributes.contains(key.slot), let attribute = attributes.first(where: { $0.name == type }) {
                        seenBlocks.remove(key.slot)
                        error(
                            "\(type) is set both as an attribute and as a block in \(schema.name)", at: typeSpan,
                            hint: "the attribute is at line \(line(of: attribute.nameSpan)); keep one")
                    } else {
                        keep = true
                    }
                case .repeatedBlock:
                    keep = true
                case .unsupportedBlock:
                    warning("`\(type)` block is not supported by Roost yet and is ignored", at: typeSpan)
                case .attribute, .unsupportedAttribute, .deprecatedAttribute:
                    error(
                        "\(type) is an attribute in \(schema.name), not a block", at: typeSpan,
                        hint: "write \(type) = …")
                }
            } else {
                error(
                    "unknown block \"\(type)\" in \(schema.name)", at: typeSpan,
                    hint: schema.mistakes[type] ?? Suggestion.hint(for: type, among: schema.knownNames))
            }
            if keep {
                keptBlocks?.append(body.blocks[index])
            } else if keptBlocks == nil {
                keptBlocks = Array(body.blocks[..<index])
            }
        }
        return BlockContent(
            schema: schema, headerSpan: headerSpan, label: label, labelSpan: labelSpan, attributes: attributes,
            blocks: keptBlocks ?? body.blocks)
    }
}
