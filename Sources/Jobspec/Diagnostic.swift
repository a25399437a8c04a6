/// One problem found in a job file, reported like a compiler does: where, what, and how to fix.
public struct Diagnostic: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    public var severity: Severity
    public var message: String
    public var fileName: String
    public var start: SourceLocation
    public var end: SourceLocation
    /// A suggestion, e.g. `did you mean "interval"?`.
    public var hint: String?

    public init(
        severity: Severity, message: String, fileName: String, start: SourceLocation, end: SourceLocation,
        hint: String? = nil
    ) {
        self.severity = severity
        self.message = message
        self.fileName = fileName
        self.start = start
        self.end = end
        self.hint = hint
    }

    /// Bytes of source quoted on each side of the caret.
    static let quotedContext = 100

    /// `file:line:col: error: message`, the quoted source line, a caret under the span, and the hint.
    public func rendered(in source: SourceFile?) -> String {
        var out = "\(fileName):\(start.line):\(start.column): \(severity.rawValue): \(message)"
        if let source {
            let line = Array(source.lineText(start.line).utf8)
            if !line.isEmpty || start.line <= 1 {
                // Quote at most a window of the line around the caret: a minified or generated
                // file can hold megabytes on one line, and one error must stay one screen.
                let caretColumn = max(0, min(start.column - 1, line.count))
                let windowStart = max(0, caretColumn - Self.quotedContext)
                let windowEnd = min(line.count, caretColumn + Self.quotedContext)
                let shown = String(decoding: line[windowStart..<windowEnd], as: UTF8.self)
                let lead = windowStart > 0 ? "…" : ""
                let trail = windowEnd < line.count ? "…" : ""
                let width = end.line == start.line ? max(1, end.column - start.column) : 1
                let prefix = String(
                    line[windowStart..<caretColumn].map { $0 == UInt8(ascii: "\t") ? Character("\t") : " " })
                let caretWidth = max(1, min(width, windowEnd - caretColumn))
                out += "\n    \(lead)\(shown)\(trail)\n    \(lead.isEmpty ? "" : " ")\(prefix)^"
                    + String(repeating: "~", count: caretWidth - 1)
            }
        }
        if let hint {
            out += "\n    hint: \(hint)"
        }
        return out
    }
}

/// Collects diagnostics while a file is parsed, evaluated and decoded, so that every problem
/// in a file is reported at once rather than only the first.
public struct DiagnosticSink: Sendable {
    public let source: SourceFile
    public private(set) var diagnostics: [Diagnostic] = []
    /// Caps the list so that a hostile or badly broken file cannot produce gigabytes of output.
    public static let maximumCount = 200

    public init(source: SourceFile) {
        self.source = source
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    public mutating func error(_ message: String, at span: SourceSpan, hint: String? = nil) {
        report(.error, message, at: span, hint: hint)
    }

    public mutating func warning(_ message: String, at span: SourceSpan, hint: String? = nil) {
        report(.warning, message, at: span, hint: hint)
    }

    public mutating func report(_ severity: Diagnostic.Severity, _ message: String, at span: SourceSpan, hint: String?) {
        guard diagnostics.count < Self.maximumCount else { return }
        diagnostics.append(
            Diagnostic(
                severity: severity, message: message, fileName: source.name,
                start: source.location(of: span.start), end: source.location(of: span.end), hint: hint))
    }
}
