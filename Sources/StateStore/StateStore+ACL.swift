import ClusterModel

extension StateStore {
    /// Bounds the token table, so a management token cannot grow the state (and the cost of a
    /// constant-time lookup, which visits every token) without limit.
    public static let maximumACLTokens = 10_000
    public static let maximumACLNameBytes = 128

    // MARK: Queries

    /// Every token, oldest first.
    public func aclTokens() -> [ACLToken] {
        aclTokensByAccessor.values.sorted { ($0.createIndex, $0.accessorID) < ($1.createIndex, $1.accessorID) }
    }

    public func aclToken(accessor: ACLAccessorID) -> ACLToken? { aclTokensByAccessor[accessor] }

    /// The token whose secret hashes to `secretHash`. Every token is compared, in constant
    /// time and without stopping at a match, so timing reveals neither which token matched nor
    /// how close a guess came.
    public func aclToken(secretHash: String) -> ACLToken? {
        var found: ACLToken?
        for token in aclTokensByAccessor.values where token.secretHashMatches(secretHash) { found = token }
        return found
    }

    /// The accessor of the management token made when the cluster was created, once it exists.
    /// It stays recorded after that token is deleted, so the cluster is bootstrapped only once.
    public var aclBootstrapAccessor: ACLAccessorID? { aclBootstrapToken }

    // MARK: Commands

    mutating func upsertACLToken(_ token: ACLToken, _ change: inout Change) throws(StateError) {
        try checkACLToken(token)
        let existing = aclTokensByAccessor[token.accessorID]
        if existing == nil, aclTokensByAccessor.count >= Self.maximumACLTokens {
            throw .invalid("the cluster holds the maximum of \(Self.maximumACLTokens) ACL tokens: delete unused ones first")
        }
        if let existing, existing.policy == .management, token.policy != .management {
            try checkAnotherManagementToken(besides: existing.accessorID, "changing its policy")
        }
        var stored = token
        stored.createIndex = existing?.createIndex ?? change.index
        stored.createTime = existing?.createTime ?? token.createTime
        stored.modifyIndex = change.index
        aclTokensByAccessor[token.accessorID] = stored
        change.tables.insert(.aclTokens)
    }

    /// The first management token. The same token again is a no-op (a leader that lost its
    /// leadership may propose it twice); any other once the cluster is bootstrapped is refused,
    /// so exactly one bootstrap secret ever works.
    mutating func bootstrapACL(_ token: ACLToken, _ change: inout Change) throws(StateError) {
        if let bootstrapped = aclBootstrapToken {
            guard bootstrapped == token.accessorID else {
                throw .invalid("the cluster's ACLs are already bootstrapped (token \(bootstrapped.short))")
            }
            return
        }
        guard token.policy == .management else { throw .invalid("the bootstrap token must have the management policy") }
        try upsertACLToken(token, &change)
        aclBootstrapToken = token.accessorID
    }

    /// Deleting an unknown token changes nothing, so a repeated delete is harmless.
    mutating func deleteACLToken(_ accessor: ACLAccessorID, _ change: inout Change) throws(StateError) {
        guard let existing = aclTokensByAccessor[accessor] else { return }
        if existing.policy == .management {
            try checkAnotherManagementToken(besides: accessor, "deleting it")
        }
        aclTokensByAccessor[accessor] = nil
        change.tables.insert(.aclTokens)
    }

    private func checkACLToken(_ token: ACLToken) throws(StateError) {
        guard !token.name.isEmpty, token.name.utf8.count <= Self.maximumACLNameBytes else {
            throw .invalid("an ACL token needs a name of 1 to \(Self.maximumACLNameBytes) bytes")
        }
        guard !token.name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid("an ACL token's name may not contain control characters")
        }
        switch token.policy {
        case .submitJob:
            guard let namespace = token.namespace, !namespace.isEmpty, namespace.utf8.count <= Self.maximumACLNameBytes else {
                throw .invalid("a submit-job token needs a namespace (or * for every namespace)")
            }
        case .management, .readOnly:
            guard token.namespace == nil else {
                throw .invalid("only submit-job tokens are limited to a namespace; \(token.policy.rawValue) tokens apply to all")
            }
        }
        guard token.secretHash.utf8.count == 64,
              token.secretHash.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else {
            throw .invalid("an ACL token's secret hash must be 64 lowercase hex digits")
        }
        if let other = aclToken(secretHash: token.secretHash), other.accessorID != token.accessorID {
            throw .invalid("another ACL token has the same secret")
        }
    }

    private func checkAnotherManagementToken(besides accessor: ACLAccessorID, _ what: String) throws(StateError) {
        let others = aclTokensByAccessor.values.contains { $0.policy == .management && $0.accessorID != accessor }
        guard others else {
            throw .invalid("token \(accessor.short) is the last management token; \(what) would lock every operator out: create another management token first")
        }
    }
}
