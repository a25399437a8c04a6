/// A linearizable read that has been confirmed: once the state machine has applied `index`,
/// the read identified by `context` may be answered from local state.
public struct ReadState: Sendable, Hashable, Codable {
    public var index: UInt64
    public var context: [UInt8]

    public init(index: UInt64, context: [UInt8]) {
        self.index = index
        self.context = context
    }
}
