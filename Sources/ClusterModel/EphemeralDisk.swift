/// Scratch space on the node for a group's allocation directory.
public struct EphemeralDisk: Sendable, Hashable, Codable {
    public var sizeMiB: Int
    /// Keep the directory for the replacement allocation on the same node.
    public var sticky: Bool
    /// Copy the directory to the replacement allocation on another node.
    public var migrate: Bool

    public init(sizeMiB: Int = 300, sticky: Bool = false, migrate: Bool = false) {
        self.sizeMiB = sizeMiB
        self.sticky = sticky
        self.migrate = migrate
    }
}
