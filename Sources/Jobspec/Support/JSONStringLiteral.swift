/// JSON string literals for the jobspec layer's two JSON producers (`jsonencode`/`%q` and the
/// Nomad API output), which must differ only in the escapes each peer writes.
enum JSONStringLiteral {
    struct Style: Sendable {
        /// `<`, `>` and `&` as `\u` escapes, as Go's encoder writes them (so `jsonencode`
        /// matches Nomad's output byte for byte).
        var escapesHTML: Bool
        /// `\b` and `\f` short forms, and DEL escaped too.
        var usesShortControlEscapes: Bool

        /// Go's `encoding/json`, which HCL's `jsonencode` follows.
        static let goEncoder = Style(escapesHTML: true, usesShortControlEscapes: false)
        /// Go's `%q`-style quoting used by `format`: no HTML escapes.
        static let plain = Style(escapesHTML: false, usesShortControlEscapes: false)
        /// The Nomad API body `roost job inspect` prints.
        static let nomadAPI = Style(escapesHTML: false, usesShortControlEscapes: true)
    }

    /// Appends `text` quoted and escaped. Escapes what JSON requires (quote, backslash,
    /// control characters) and the two line separators JavaScript treats as newlines;
    /// everything else stays as UTF-8.
    static func append(_ text: String, to output: inout String, style: Style) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}" where style.usesShortControlEscapes: output += "\\b"
            case "\u{0C}" where style.usesShortControlEscapes: output += "\\f"
            case "<", ">", "&":
                if style.escapesHTML { appendUnicodeEscape(scalar.value, to: &output) } else { output.unicodeScalars.append(scalar) }
            case "\u{2028}", "\u{2029}":
                appendUnicodeEscape(scalar.value, to: &output)
            default:
                if scalar.value < 0x20 || (style.usesShortControlEscapes && scalar.value == 0x7F) {
                    appendUnicodeEscape(scalar.value, to: &output)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    /// `\u` and four lowercase hex digits.
    private static func appendUnicodeEscape(_ value: UInt32, to output: inout String) {
        let digits = String(value, radix: 16)
        output += "\\u" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
