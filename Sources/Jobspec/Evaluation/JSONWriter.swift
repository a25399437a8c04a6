import ClusterModel

/// `jsonencode` without Foundation: keys in byte order and `<`, `>`, `&` escaped, as Go's
/// encoder (and so Nomad) writes them, so the text is stable and safe to embed in HTML.
struct JSONWriter {
    private(set) var output: [UInt8] = []
    /// Writing stops with an error once the text would pass this many bytes.
    let maximumBytes: Int

    init(maximumBytes: Int = EvaluationBudget.maximumStringBytes) {
        self.maximumBytes = maximumBytes
    }

    struct TooLarge: Error {}

    static func encode(_ value: DynamicValue) throws(TooLarge) -> String {
        var writer = JSONWriter()
        try writer.write(value)
        return String(decoding: writer.output, as: UTF8.self)
    }

    /// Recursion follows the value's nesting, which the evaluator keeps bounded.
    mutating func write(_ value: DynamicValue) throws(TooLarge) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let number): append(NumberFormatting.string(from: number))
        case .string(let text): writeString(text, escapingHTML: true)
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
                writeString(key, escapingHTML: true)
                append(":")
                try write(entries[key] ?? .null)
            }
            append("}")
        }
        if output.count > maximumBytes { throw TooLarge() }
    }

    mutating func writeString(_ text: String, escapingHTML: Bool) {
        output.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": append("\\\"")
            case "\\": append("\\\\")
            case "\n": append("\\n")
            case "\r": append("\\r")
            case "\t": append("\\t")
            case "<", ">", "&":
                if escapingHTML { appendUnicodeEscape(scalar.value) } else { output.append(UInt8(scalar.value)) }
            case "\u{2028}", "\u{2029}":
                appendUnicodeEscape(scalar.value)
            default:
                if scalar.value < 0x20 {
                    appendUnicodeEscape(scalar.value)
                } else {
                    output.append(contentsOf: String(scalar).utf8)
                }
            }
            if output.count > maximumBytes { return }
        }
        output.append(UInt8(ascii: "\""))
    }

    private mutating func appendUnicodeEscape(_ value: UInt32) {
        let hex = Array("0123456789abcdef".utf8)
        append("\\u")
        for shift in stride(from: 12, through: 0, by: -4) {
            output.append(hex[Int((value >> UInt32(shift)) & 0xF)])
        }
    }

    private mutating func append(_ text: String) {
        output.append(contentsOf: text.utf8)
    }
}
