/// A half-open byte range `[start, end)` in a source file. AST nodes carry only offsets so
/// that parsing stays cheap; line and column are computed when a diagnostic needs them.
///
/// Stored as two 32-bit offsets: every attribute, expression and block carries spans, and
/// halving them shrinks the trees a large file builds (and the memory each load touches) by
/// a sixth. Files are far below 2 GiB (`ParseLimits.maximumFileBytes`); an offset beyond
/// that reads back as the largest one instead of trapping.
public struct SourceSpan: Sendable, Hashable {
    private var storedStart: Int32
    private var storedEnd: Int32

    public var start: Int {
        get { Int(storedStart) }
        set { storedStart = Int32(clamping: newValue) }
    }

    public var end: Int {
        get { Int(storedEnd) }
        set { storedEnd = Int32(clamping: newValue) }
    }

    public init(start: Int, end: Int) {
        storedStart = Int32(clamping: start)
        storedEnd = Int32(clamping: end)
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
