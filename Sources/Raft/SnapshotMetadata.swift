/// What a snapshot covers: the log up to `index` (whose entry had `term`), and the membership
/// in force at that point. The snapshot's data is the state machine's own encoding.
public struct SnapshotMetadata: Sendable, Hashable, Codable {
    public var index: UInt64
    public var term: UInt64
    public var configuration: RaftConfiguration

    public init(index: UInt64, term: UInt64, configuration: RaftConfiguration) {
        self.index = index
        self.term = term
        self.configuration = configuration
    }
}
