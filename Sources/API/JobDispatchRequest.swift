/// The body of `POST /v1/job/:id/dispatch`, in Nomad's shape: the payload as base64 (JSON has
/// no bytes), the metadata as strings, and the optional word for the child's ID.
public struct JobDispatchRequest: Sendable, Hashable, Codable {
    /// Base64 of the payload; absent or empty for none.
    public var payload: String?
    public var meta: [String: String]?
    public var idPrefixTemplate: String?

    public init(payload: String? = nil, meta: [String: String]? = nil, idPrefixTemplate: String? = nil) {
        self.payload = payload
        self.meta = meta
        self.idPrefixTemplate = idPrefixTemplate
    }
}
