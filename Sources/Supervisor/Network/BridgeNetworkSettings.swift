/// Names and addresses of the node's bridge network. The defaults are the ones Nomad's bridge
/// mode uses, so a site that firewalls that subnet for Nomad needs no change; tests give their
/// own names so they never touch a real agent's network.
public struct BridgeNetworkSettings: Sendable, Hashable {
    /// The Linux bridge the allocations' veth pairs join. At most 15 characters.
    public var bridgeName: String
    public var subnet: IPv4Subnet
    /// The nat chain holding the port mappings; also names the rules Roost adds elsewhere.
    public var chain: String
    /// Network namespaces are named this plus the allocation ID.
    public var namespacePrefix: String
    /// Where a record of each allocation's network is kept, so an agent that restarts finds
    /// the namespaces and rules of the allocations it takes over (and removes the others).
    public var recordDirectory: String

    public init(
        recordDirectory: String, bridgeName: String = "roost0", subnet: IPv4Subnet = IPv4Subnet("172.26.64.0/20")!,
        chain: String = "ROOST-PORTMAP", namespacePrefix: String = "roost-"
    ) {
        self.recordDirectory = recordDirectory
        self.bridgeName = bridgeName
        self.subnet = subnet
        self.chain = chain
        self.namespacePrefix = namespacePrefix
    }
}
