/// When a task runs relative to the group's main tasks.
public struct Lifecycle: Sendable, Hashable, Codable {
    public enum Hook: String, Sendable, Hashable, Codable, CaseIterable {
        case prestart
        case poststart
        case poststop
    }

    public var hook: Hook
    /// Keep the task running for the whole life of the allocation.
    public var sidecar: Bool

    public init(hook: Hook, sidecar: Bool = false) {
        self.hook = hook
        self.sidecar = sidecar
    }
}
