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
                JSONStringLiteral.append(key, to: &output, style: .nomadAPI)
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
            JSONStringLiteral.append(text, to: &output, style: .nomadAPI)
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
}
