/// HCL native syntax → `SyntaxBody`. (Stub: being written.)
public struct Parser: Sendable {
    public let source: SourceFile
    public let limits: ParseLimits

    public init(source: SourceFile, limits: ParseLimits = .default) {
        self.source = source
        self.limits = limits
    }

    public mutating func parseFile(into sink: inout DiagnosticSink) -> SyntaxBody {
        sink.error("the HCL parser is not written yet", at: SourceSpan(start: 0, end: 0))
        return SyntaxBody()
    }
}
