/// `GET /v1/operator/keyring`: this agent's gossip keys in base64, the primary first.
public struct GossipKeyringResponse: Sendable, Hashable, Codable {
    public var keys: [String]
    public var primaryKey: String

    public init(keys: [String], primaryKey: String) {
        self.keys = keys
        self.primaryKey = primaryKey
    }
}
