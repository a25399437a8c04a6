/// One row of `GET /v1/agent/members`: a gossip member as this agent sees it, in Nomad's
/// shape (`Name`, `Addr`, `Port`, `Status`, `Tags`) plus what SWIM adds (`Incarnation`).
public struct AgentMember: Sendable, Hashable, Codable {
    public var name: String
    public var addr: String
    public var port: Int
    /// alive, suspect, failed or left.
    public var status: String
    /// Role, datacenter, node ID and RPC address, then the member's own tags.
    public var tags: [String: String]
    public var incarnation: UInt64

    public init(name: String, addr: String, port: Int, status: String, tags: [String: String], incarnation: UInt64) {
        self.name = name
        self.addr = addr
        self.port = port
        self.status = status
        self.tags = tags
        self.incarnation = incarnation
    }
}
