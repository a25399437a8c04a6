import ClusterModel

/// Bodies and `dynamic` blocks. A `dynamic "type" { for_each, iterator, labels, content }`
/// block is replaced, where it stands, by one `type` block per element of `for_each`.
extension Evaluator {
    /// The blocks the evaluator consumes at the top of a file; they do not reach the output.
    static let fileLevelBlockTypes: Set<String> = ["variable", "variables", "locals"]

    /// Walks the arrays by index and reads fields in place: copying each attribute and block
    /// out of its array costs a retain and release per field, which for large files is most of
    /// the work of evaluating them.
    ///
    /// The body is consumed: each part of the syntax tree is freed as soon as it is evaluated,
    /// so the evaluated tree is built in the memory the syntax tree gives back instead of in
    /// fresh pages above it (for a large file, the heap otherwise grows by megabytes on every
    /// load and the allocator returns them to the system afterwards). A caller that keeps its
    /// own copy of the tree loses nothing but that saving.
    mutating func evaluateBody(_ body: consuming SyntaxBody, into sink: inout DiagnosticSink, isFile: Bool = false)
        -> EvaluatedBody
    {
        var result = EvaluatedBody(span: body.span)
        var attributes: [SyntaxAttribute] = []
        swap(&attributes, &body.attributes)
        result.attributes.reserveCapacity(attributes.count)
        for index in attributes.indices {
            do throws(EvaluationError) {
                let value: DynamicValue
                let valueSpan: SourceSpan
                if case .literal(let literal, let span) = attributes[index].value {
                    // Literals (numbers, bools, plain strings) are most values and need no
                    // evaluation; they are never lists or maps, so their shape check is the
                    // unit charge alone.
                    (value, valueSpan) = (literal, span)
                    try charge(1, at: span)
                } else {
                    valueSpan = attributes[index].value.span
                    value = try evaluate(attributes[index].value)
                    // The decoder and the JSON output walk this value: keep it bounded.
                    try checkShape(of: value, at: valueSpan, describing: "the value of \"\(attributes[index].name)\"")
                }
                result.attributes.append(
                    EvaluatedAttribute(
                        name: attributes[index].name, value: value, nameSpan: attributes[index].nameSpan,
                        valueSpan: valueSpan))
            } catch {
                report(error, into: &sink)
            }
        }
        attributes = []
        var blocks: [SyntaxBlock] = []
        swap(&blocks, &body.blocks)
        result.blocks.reserveCapacity(blocks.count)
        for index in blocks.indices {
            if isFile, Self.fileLevelBlockTypes.contains(blocks[index].type) { continue }
            // Moved out of the array, so that the block's syntax is freed once evaluated.
            var block = SyntaxBlock(type: "", typeSpan: .none, body: SyntaxBody())
            swap(&block, &blocks[index])
            if block.type == "dynamic" {
                expandDynamic(block, into: &result.blocks, sink: &sink)
            } else {
                // Moved out too: passing `block.body` would copy it, and the nested arrays,
                // shared, would then be copied on write instead of freed.
                var nestedBody = SyntaxBody()
                swap(&nestedBody, &block.body)
                let evaluated = evaluateBody(consume nestedBody, into: &sink)
                result.blocks.append(
                    EvaluatedBlock(type: block.type, typeSpan: block.typeSpan, labels: block.labels, body: evaluated))
            }
        }
        return result
    }

    private static let dynamicArguments = ["for_each", "iterator", "labels"]

    private mutating func expandDynamic(_ block: SyntaxBlock, into blocks: inout [EvaluatedBlock], sink: inout DiagnosticSink) {
        guard block.labels.count == 1, let typeLabel = block.labels.first else {
            let span = block.labels.dropFirst().first.map { block.typeSpan.union($0.span) } ?? block.typeSpan
            sink.error(
                "a dynamic block needs exactly one label: the type of the blocks it generates", at: span,
                hint: "write it as dynamic \"port\" { for_each = …  content { … } }")
            return
        }
        var forEach: SyntaxAttribute?
        var iteratorName = typeLabel.value
        var labelsExpression: Expression?
        var valid = true
        for attribute in block.body.attributes {
            switch attribute.name {
            case "for_each": forEach = attribute
            case "labels": labelsExpression = attribute.value
            case "iterator":
                if case .traversal(let traversal) = attribute.value, traversal.steps.isEmpty {
                    iteratorName = traversal.root
                } else if case .literal(.string(let name), _) = attribute.value {
                    iteratorName = name
                } else {
                    sink.error("the iterator must be a plain name, such as iterator = port", at: attribute.value.span)
                    valid = false
                }
            default:
                sink.error(
                    "a dynamic block has no argument \"\(attribute.name)\"", at: attribute.nameSpan,
                    hint: Suggestion.hint(for: attribute.name, among: Self.dynamicArguments)
                        ?? "a dynamic block takes for_each, iterator, labels and a content block")
                valid = false
            }
        }
        let contents = block.body.blocks.filter { $0.type == "content" }
        for other in block.body.blocks where other.type != "content" {
            sink.error(
                "a dynamic block can only contain a content block, not \"\(other.type)\"", at: other.typeSpan,
                hint: "put the \(other.type) block inside content { … }")
            valid = false
        }
        if contents.count > 1 {
            sink.error("a dynamic block has exactly one content block", at: contents[1].typeSpan)
            valid = false
        }
        guard let forEach else {
            sink.error("a dynamic block needs a for_each argument", at: block.typeSpan.union(typeLabel.span))
            return
        }
        guard let content = contents.first else {
            sink.error("a dynamic block needs a content block", at: block.typeSpan.union(typeLabel.span))
            return
        }
        guard valid else { return }

        let elements: [(key: DynamicValue, value: DynamicValue)]
        do throws(EvaluationError) {
            elements = try iterationElements(of: try evaluate(forEach.value), at: forEach.value.span)
        } catch {
            report(error, into: &sink)
            return
        }
        let saved = bindings
        defer { bindings = saved }
        for (key, value) in elements {
            do throws(EvaluationError) {
                try charge(1, at: forEach.value.span)
                bindings[iteratorName] = .map(["key": key, "value": value])
                let labels = try labelsExpression.map { expression throws(EvaluationError) in
                    try evaluateLabels(expression)
                } ?? []
                blocks.append(
                    EvaluatedBlock(
                        type: typeLabel.value, typeSpan: typeLabel.span, labels: labels,
                        body: evaluateBody(content.body, into: &sink)))
            } catch {
                report(error, into: &sink)
                if error.isFatal { return }
            }
        }
    }

    /// `labels = [port.key]`: each label is text; its span is that of its own expression.
    private mutating func evaluateLabels(_ expression: Expression) throws(EvaluationError) -> [SyntaxBlock.Label] {
        let value = try evaluate(expression)
        guard case .list(let items) = value else {
            throw EvaluationError("labels must be a list of strings, got \(describe(value))", at: expression.span)
        }
        var elementSpans: [SourceSpan] = []
        if case .tuple(let elements, _) = expression, elements.count == items.count {
            elementSpans = elements.map(\.span)
        }
        var labels: [SyntaxBlock.Label] = []
        for (index, item) in items.enumerated() {
            let span = index < elementSpans.count ? elementSpans[index] : expression.span
            guard let text = item.convertedToString else {
                throw EvaluationError("a label must be a string, got \(describe(item))", at: span)
            }
            labels.append(SyntaxBlock.Label(value: text, span: span))
        }
        return labels
    }
}
