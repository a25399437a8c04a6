/// A half-open byte range `[start, end)` in a source file. AST nodes carry only offsets so
/// that parsing stays cheap; line and column are computed when a diagnostic needs them.
public struct SourceSpan: Sendable, Hashable {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// The smallest span covering both.
    public func union(_ other: SourceSpan) -> SourceSpan {
        SourceSpan(start: min(start, other.start), end: max(end, other.end))
    }

    public static let none = SourceSpan(start: 0, end: 0)
}

/// A resolved position for humans: 1-based line and column (column counts bytes, as HCL does).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var offset: Int

    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    public var description: String { "\(line):\(column)" }
}
