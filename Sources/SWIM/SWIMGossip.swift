/// One disseminated fact about a member: "X is alive/suspect/dead/left at incarnation i".
///
/// Piggybacked on probes (infection-style) and exchanged in full during push-pull. The address
/// always travels so that a member first heard of through gossip can be probed; metadata travels
/// with `alive` (and in full state) only.
public struct SWIMGossip: Sendable, Hashable {
    public var status: SWIMMemberStatus
    public var member: SWIMNodeID
    public var incarnation: UInt64
    public var address: SWIMAddress
    public var metadata: SWIMMetadata?
    /// Who says so. For `suspect` this is what makes confirmations independent (Lifeguard counts
    /// distinct suspectors); for the other states it is informational.
    public var reporter: SWIMNodeID

    public init(status: SWIMMemberStatus, member: SWIMNodeID, incarnation: UInt64, address: SWIMAddress,
                metadata: SWIMMetadata? = nil, reporter: SWIMNodeID) {
        self.status = status
        self.member = member
        self.incarnation = incarnation
        self.address = address
        self.metadata = metadata
        self.reporter = reporter
    }
}
