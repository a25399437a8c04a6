/// What a member tells the cluster about itself besides being alive: enough for the agent to
/// route RPCs and place work. It travels in `alive` updates; a change is announced with a new
/// incarnation, which is what makes it override the old metadata everywhere.
///
/// Bounded (`maximumEncodedSize`) so that an alive update always fits in one packet together
/// with other updates.
public struct SWIMMetadata: Sendable, Hashable {
    /// The agent's node ID in the cluster model (what Raft-replicated state refers to).
    public var nodeID: String
    public var nodeName: String
    public var role: String
    public var rpcAddress: String
    public var datacenter: String
    public var tags: [String: String]

    /// Fits several alive updates into one 1,400-byte packet.
    public static let maximumEncodedSize = 512
    public static let maximumTagCount = 32

    public init(nodeID: String = "", nodeName: String = "", role: String = "", rpcAddress: String = "", datacenter: String = "",
                tags: [String: String] = [:]) {
        self.nodeID = nodeID
        self.nodeName = nodeName
        self.role = role
        self.rpcAddress = rpcAddress
        self.datacenter = datacenter
        self.tags = tags
    }

    /// Checks the bounds that the codec enforces on receive, so that a local mistake is reported
    /// when it is made rather than as peers dropping our packets.
    public func validate() throws(SWIMCodecError) {
        if tags.count > Self.maximumTagCount { throw .tooMany("tags", tags.count) }
        var writer = SWIMByteWriter()
        try writer.writeMetadata(self)
        if writer.bytes.count > Self.maximumEncodedSize {
            throw .tooLong("metadata", writer.bytes.count)
        }
    }
}
