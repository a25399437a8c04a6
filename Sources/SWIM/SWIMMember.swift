/// One member as this instance sees it.
public struct SWIMMember: Sendable, Hashable {
    public let id: SWIMNodeID
    public var address: SWIMAddress
    public var status: SWIMMemberStatus
    /// Only the member itself raises its incarnation: to refute a suspicion, to announce new
    /// metadata, or to come back after a restart.
    public var incarnation: UInt64
    public var metadata: SWIMMetadata
    /// When this instance last changed `status` (its own clock): dead and left members are reaped
    /// a settings-defined time after this.
    public var statusSince: SWIMInstant

    public init(id: SWIMNodeID, address: SWIMAddress, status: SWIMMemberStatus, incarnation: UInt64,
                metadata: SWIMMetadata, statusSince: SWIMInstant) {
        self.id = id
        self.address = address
        self.status = status
        self.incarnation = incarnation
        self.metadata = metadata
        self.statusSince = statusSince
    }
}
