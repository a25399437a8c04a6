/// Bounds that keep a hostile or broken file from exhausting the stack or memory: beyond
/// them the parser reports an error instead of recursing or allocating further.
public struct ParseLimits: Sendable, Hashable {
    /// Nesting of blocks, brackets, parentheses and templates together.
    public var maximumDepth: Int
    /// Largest file accepted, in bytes.
    public var maximumFileBytes: Int

    public init(maximumDepth: Int = 128, maximumFileBytes: Int = 64 << 20) {
        self.maximumDepth = maximumDepth
        self.maximumFileBytes = maximumFileBytes
    }

    public static let `default` = ParseLimits()
}
