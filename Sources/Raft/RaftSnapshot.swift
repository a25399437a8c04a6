/// A snapshot as the core sees it: what it covers, and the state machine's bytes. The core
/// keeps the latest one to send to followers that are too far behind for the log.
public struct RaftSnapshot: Sendable, Hashable, Codable {
    public var metadata: SnapshotMetadata
    public var data: [UInt8]

    public init(metadata: SnapshotMetadata, data: [UInt8]) {
        self.metadata = metadata
        self.data = data
    }
}
