/// HCL native syntax → `SyntaxBody`: attributes, blocks and expression trees, with every
/// syntax error of the file reported (the parser resynchronises at the next line or closing
/// brace rather than stopping at the first).
public struct Parser: Sendable {
    public let source: SourceFile
    public let limits: ParseLimits

    public init(source: SourceFile, limits: ParseLimits = .default) {
        self.source = source
        self.limits = limits
    }

    public mutating func parseFile(into sink: inout DiagnosticSink) -> SyntaxBody {
        let bytes = source.bytes
        guard bytes.count <= limits.maximumFileBytes else {
            sink.error(
                "the file is too large (\(bytes.count) bytes; the limit is \(limits.maximumFileBytes))",
                at: SourceSpan(start: 0, end: 0))
            return SyntaxBody(span: SourceSpan(start: 0, end: bytes.count))
        }
        let limits = self.limits
        return bytes.withUnsafeBufferPointer { buffer in
            var run = ParserRun(bytes: buffer, limits: limits, sink: sink)
            let body = run.parseFileBody()
            sink = run.sink
            return body
        }
    }
}
