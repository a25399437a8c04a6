import ClusterModel
import StateStore

/// An ACL token as the API shows it: never its secret's hash, and its secret only in the
/// answer to `POST /v1/acl/token`, the one time it is shown.
public struct ACLTokenStub: Sendable, Hashable, Codable {
    public var accessorID: String
    /// Set only when the token has just been created.
    public var secretID: String?
    public var name: String
    public var policy: ACLPolicy
    public var namespace: String?
    public var createTime: Timestamp
    public var createIndex: UInt64
    public var modifyIndex: UInt64

    public init(_ token: ACLToken, secret: String? = nil) {
        accessorID = token.accessorID.uuid
        secretID = secret
        name = token.name
        policy = token.policy
        namespace = token.namespace
        createTime = token.createTime
        createIndex = token.createIndex
        modifyIndex = token.modifyIndex
    }
}

/// The body of `POST /v1/acl/token`.
public struct ACLTokenCreateRequest: Sendable, Hashable, Codable {
    public var name: String
    public var policy: ACLPolicy
    /// For submit-job tokens: `default` when absent, `*` for every namespace.
    public var namespace: String?

    public init(name: String, policy: ACLPolicy, namespace: String? = nil) {
        self.name = name
        self.policy = policy
        self.namespace = namespace
    }
}
