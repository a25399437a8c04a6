/// Canonical formatting of an HCL file (`roost fmt`). (Stub: being written.)
public enum Formatter {
    /// The formatted text, or nil when the file does not lex/parse (diagnostics in `sink`).
    public static func format(_ source: SourceFile, into sink: inout DiagnosticSink) -> String? {
        String(decoding: source.bytes, as: UTF8.self)
    }
}
