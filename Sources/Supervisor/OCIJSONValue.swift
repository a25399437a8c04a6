/// A JSON document for the runtime's `config.json`, rendered by hand.
///
/// Foundation's JSONSerialization took about 1 ms per container on this path (boxing every
/// value in Any, sorting keys); this renderer writes the bytes straight, in the order given,
/// in a few microseconds. Strings are escaped per RFC 8259 (quote, backslash and control
/// characters), so any task argument or environment value comes out as valid JSON.
indirect enum OCIJSONValue {
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case array([OCIJSONValue])
    case object([(String, OCIJSONValue)])

    static func strings(_ list: [String]) -> OCIJSONValue { .array(list.map { .string($0) }) }

    /// The compact JSON text.
    var bytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(4096)
        render(into: &output)
        return output
    }

    private func render(into output: inout [UInt8]) {
        switch self {
        case .string(let text):
            Self.renderString(text, into: &output)
        case .integer(let number):
            output.append(contentsOf: String(number).utf8)
        case .bool(let flag):
            output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                item.render(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.renderString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                value.render(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func renderString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\t"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case UInt8(ascii: "\r"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0..<0x20:
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0xf)])
            default:
                // UTF-8 of a Swift String is always valid; bytes >= 0x80 pass as they are.
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}
