/// Rotation of a task's stdout/stderr files: at most `maxFiles` files of `maxFileSizeMiB` each.
public struct LogConfig: Sendable, Hashable, Codable {
    public var maxFiles: Int
    public var maxFileSizeMiB: Int
    public var disabled: Bool

    public init(maxFiles: Int = 10, maxFileSizeMiB: Int = 10, disabled: Bool = false) {
        self.maxFiles = maxFiles
        self.maxFileSizeMiB = maxFileSizeMiB
        self.disabled = disabled
    }
}
