/// Why the data key could not be used: which file, what is wrong, and what to do.
public struct AtRestKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var problem: String
    public var fix: String

    public var description: String { "the data key \(path) \(problem): \(fix)" }
}
