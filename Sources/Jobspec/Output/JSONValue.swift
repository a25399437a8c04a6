/// A JSON document with object keys in a chosen order, so output can follow Nomad's field
/// order (the jobspec layer may not use Foundation's encoder).
indirect enum JSONValue: Sendable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case null

    /// Pretty output indents by four spaces per level, as Nomad's CLI prints jobs; compact
    /// output is one line without spaces.
    func rendered(pretty: Bool) -> String {
        var output = ""
        write(to: &output, pretty: pretty, level: 0)
        return output
    }

    private func write(to output: inout String, pretty: Bool, level: Int) {
        switch self {
        case .object(let members):
            guard !members.isEmpty else { return output += "{}" }
            output += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output += "," }
                if pretty { Self.newline(&output, level: level + 1) }
                Self.writeString(key, to: &output)
                output += pretty ? ": " : ":"
                value.write(to: &output, pretty: pretty, level: level + 1)
            }
            if pretty { Self.newline(&output, level: level) }
            output += "}"
        case .array(let items):
            guard !items.isEmpty else { return output += "[]" }
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                if pretty { Self.newline(&output, level: level + 1) }
                item.write(to: &output, pretty: pretty, level: level + 1)
            }
            if pretty { Self.newline(&output, level: level) }
            output += "]"
        case .string(let text):
            Self.writeString(text, to: &output)
        case .integer(let value):
            output += String(value)
        case .number(let value):
            // JSON has no NaN or infinity; a driver config can hold one only by mistake.
            output += value.isFinite ? NumberFormatting.string(from: value) : "null"
        case .bool(let value):
            output += value ? "true" : "false"
        case .null:
            output += "null"
        }
    }

    private static func newline(_ output: inout String, level: Int) {
        output += "\n"
        output += String(repeating: " ", count: 4 * level)
    }

    /// Escapes what JSON requires (quote, backslash, control characters) and the two line
    /// separators JavaScript treats as newlines; everything else stays as UTF-8.
    private static func writeString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\u{2028}", "\u{2029}":
                output += "\\u" + hex4(scalar.value)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    output += "\\u" + hex4(scalar.value)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
