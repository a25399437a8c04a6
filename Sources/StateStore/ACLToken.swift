import ClusterModel

/// An API token as the cluster remembers it. The secret a caller sends is never stored, only
/// its hash: a leaked Raft log or snapshot therefore grants nothing, and the secret is shown
/// exactly once, to whoever created the token. Hashing happens in the manager before the
/// command is made; the store only compares the hashes it is given.
public struct ACLToken: Sendable, Hashable, Codable {
    /// Public: names the token in lists and `acl token delete` without revealing the secret.
    public var accessorID: ACLAccessorID
    public var name: String
    public var policy: ACLPolicy
    /// For `submit-job` only: the namespace its job writes are limited to, `*` for all of them.
    public var namespace: String?
    /// Lowercase hex of the BLAKE2b-256 digest of the secret.
    public var secretHash: String
    public var createTime: Timestamp
    public var createIndex: UInt64
    public var modifyIndex: UInt64

    public init(
        accessorID: ACLAccessorID, name: String, policy: ACLPolicy, namespace: String? = nil, secretHash: String,
        createTime: Timestamp, createIndex: UInt64 = 0, modifyIndex: UInt64 = 0
    ) {
        self.accessorID = accessorID
        self.name = name
        self.policy = policy
        self.namespace = namespace
        self.secretHash = secretHash
        self.createTime = createTime
        self.createIndex = createIndex
        self.modifyIndex = modifyIndex
    }

    /// Whether `hash` is this token's secret hash, taking the same time whichever byte differs,
    /// so response times do not tell a guesser how much of a hash it got right.
    public func secretHashMatches(_ hash: String) -> Bool {
        let stored = secretHash.utf8
        let given = hash.utf8
        guard stored.count == given.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(stored, given) { difference |= left ^ right }
        return difference == 0
    }
}

/// What a token may do. Deliberately three fixed policies rather than Nomad's policy language:
/// enough for a small team (operators, CI, dashboards) and impossible to misconfigure.
public enum ACLPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Everything, including creating and deleting tokens.
    case management
    /// Job registration, stopping and parsing in one namespace (or all), plus reads of jobs,
    /// allocations, evaluations and nodes.
    case submitJob = "submit-job"
    /// Reads only.
    case readOnly = "read-only"
}

/// The public identifier of an ACL token.
public struct ACLAccessorID: Identifier {
    public let uuid: String
    public init(uuid: String) { self.uuid = uuid }
}
