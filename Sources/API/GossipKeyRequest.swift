/// The body of `PUT /v1/operator/keyring/{install,use,remove}`: one key in base64.
public struct GossipKeyRequest: Sendable, Hashable, Codable {
    public var key: String

    public init(key: String) {
        self.key = key
    }
}
