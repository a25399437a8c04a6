/// `GET /v1/agent/members`: who this agent's gossip knows, itself included.
public struct AgentMembersResponse: Sendable, Hashable, Codable {
    public var serverName: String
    public var members: [AgentMember]

    public init(serverName: String, members: [AgentMember]) {
        self.serverName = serverName
        self.members = members
    }
}
