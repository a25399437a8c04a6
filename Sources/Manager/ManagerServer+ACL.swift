import ClusterModel
import StateStore

extension ManagerServer {
    /// Whether every API call needs a token (server mode). Fixed for the manager's lifetime.
    public nonisolated var aclsEnabled: Bool { settings.aclsEnabled }

    /// Where the bootstrap management token's secret is shown (the agent's console), the one
    /// time this manager creates it. Set before Raft starts.
    public func announceBootstrapToken(with announce: @escaping @Sendable (String) -> Void) {
        aclBootstrap.announce = announce
    }

    /// The token whose secret is `secret`, from this manager's own copy of the state: checking a
    /// request costs no Raft round trip. A token deleted moments ago on the leader may still
    /// work here until this manager applies the deletion (normally milliseconds).
    public func token(forSecret secret: String) async -> ACLToken? {
        await state.snapshot.aclToken(secretHash: ACLSecret.hash(secret))
    }

    /// Creates a token and returns it with its secret, which is not kept anywhere: the caller
    /// must show it now or it is lost.
    public func createACLToken(name: String, policy: ACLPolicy, namespace: String?) async throws(ManagerError) -> (token: ACLToken, secret: String) {
        let namespace = policy == .submitJob ? (namespace.flatMap { $0.isEmpty ? nil : $0 } ?? JobSpec.defaultNamespace) : namespace
        if policy != .submitJob, let namespace, !namespace.isEmpty {
            throw .invalid("only submit-job tokens take a namespace; a \(policy.rawValue) token applies to every namespace")
        }
        let secret = ACLSecret.generate()
        let token = ACLToken(
            accessorID: .random(using: &random), name: name, policy: policy,
            namespace: policy == .submitJob ? namespace : nil, secretHash: ACLSecret.hash(secret), createTime: clock())
        let outcome = try await submit(.upsertACLToken(token))
        let stored = await state.snapshot.aclToken(accessor: token.accessorID)
        var created = stored ?? token
        if stored == nil { created.createIndex = outcome.index; created.modifyIndex = outcome.index }
        return (created, secret)
    }

    /// Deletes a token by its accessor ID (or a unique prefix of it, as lists show them short).
    public func deleteACLToken(_ accessorPrefix: String) async throws(ManagerError) -> (token: ACLToken, index: UInt64) {
        let current = try await snapshot(stale: false)
        let matches = current.aclTokens().filter { $0.accessorID.uuid.hasPrefix(accessorPrefix) }
        guard !accessorPrefix.isEmpty, let token = matches.first else {
            throw .notFound("no ACL token with accessor ID \"\(accessorPrefix)\"")
        }
        guard matches.count == 1 else {
            throw .ambiguous("accessor prefix \"\(accessorPrefix)\" matches \(matches.count) tokens: " + matches.prefix(10).map(\.accessorID.uuid).joined(separator: ", "))
        }
        let outcome = try await submit(.deleteACLToken(token.accessorID))
        return (token, outcome.index)
    }

    /// Creates the cluster's first management token if nobody has: the leader calls this once
    /// it has caught up with the log. The same proposal is repeated (never a new secret) until
    /// it is applied or another manager's is, so however leadership moves, exactly one
    /// bootstrap token exists and only the manager that drew its secret shows it.
    func bootstrapACLsIfNeeded() async {
        guard aclsEnabled, !aclBootstrap.isRunning, !isShutDown else { return }
        if aclBootstrap.pending == nil {
            guard await state.snapshot.aclBootstrapAccessor == nil else { return }
            let secret = ACLSecret.generate()
            let token = ACLToken(
                accessorID: .random(using: &random), name: "Bootstrap management token", policy: .management,
                secretHash: ACLSecret.hash(secret), createTime: clock())
            aclBootstrap.pending = (token, secret)
        }
        aclBootstrap.isRunning = true
        defer { aclBootstrap.isRunning = false }
        while let pending = aclBootstrap.pending, !isShutDown {
            switch await state.snapshot.aclBootstrapAccessor {
            case pending.token.accessorID?:
                finishBootstrap(showing: pending.secret)
                return
            case .some:
                aclBootstrap.pending = nil
                return
            case nil:
                break
            }
            do {
                try await replicate(.state(.bootstrapACL(pending.token)))
                finishBootstrap(showing: pending.secret)
                return
            } catch {
                if case .invalid = error {
                    // Refused: another manager's bootstrap token was applied first.
                    aclBootstrap.pending = nil
                    return
                }
                // Unreachable quorum or an outcome not known yet: ask again (the same token, so a
                // proposal that did commit is simply confirmed).
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    private func finishBootstrap(showing secret: String) {
        aclBootstrap.pending = nil
        aclBootstrap.announce?(secret)
    }
}
