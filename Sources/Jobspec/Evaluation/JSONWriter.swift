import ClusterModel

/// `jsonencode` without Foundation: keys in byte order and `<`, `>`, `&` escaped, as Go's
/// encoder (and so Nomad) writes them, so the text is stable and safe to embed in HTML.
struct JSONWriter {
    private(set) var output = ""
    /// Writing stops with an error once the text would pass this many bytes.
    let maximumBytes: Int

    init(maximumBytes: Int = EvaluationBudget.maximumStringBytes) {
        self.maximumBytes = maximumBytes
    }

    struct TooLarge: Error {}

    static func encode(_ value: DynamicValue) throws(TooLarge) -> String {
        var writer = JSONWriter()
        try writer.write(value)
        return writer.output
    }

    /// Recursion follows the value's nesting, which the evaluator keeps bounded.
    mutating func write(_ value: DynamicValue) throws(TooLarge) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let number): append(NumberFormatting.string(from: number))
        case .string(let text): JSONStringLiteral.append(text, to: &output, style: .goEncoder)
        case .list(let items):
            append("[")
            for (index, item) in items.enumerated() {
                if index > 0 { append(",") }
                try write(item)
            }
            append("]")
        case .map(let entries):
            append("{")
            for (index, key) in entries.keys.sorted(by: DynamicValue.bytewiseLess).enumerated() {
                if index > 0 { append(",") }
                JSONStringLiteral.append(key, to: &output, style: .goEncoder)
                append(":")
                try write(entries[key] ?? .null)
            }
            append("}")
        }
        if output.utf8.count > maximumBytes { throw TooLarge() }
    }

    private mutating func append(_ text: String) {
        output += text
    }
}
