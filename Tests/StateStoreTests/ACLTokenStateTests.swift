import ClusterModel
import Foundation
import StateStore
import Testing

/// The ACL token table: what the replicated state keeps of a token, and the rules every
/// manager applies identically.
@Suite struct ACLTokenStateTests {
    static func hash(_ digit: Character) -> String { String(repeating: digit, count: 64) }

    static func token(
        _ name: String, policy: ACLPolicy = .management, namespace: String? = nil, hash digit: Character = "a",
        accessor: String? = nil
    ) -> ACLToken {
        ACLToken(
            accessorID: ACLAccessorID(uuid: accessor ?? "00000000-0000-4000-8000-00000000000\(digit)"), name: name,
            policy: policy, namespace: namespace, secretHash: hash(digit), createTime: Timestamp(nanosecondsSinceEpoch: 42))
    }

    @Test func aCreatedTokenIsFoundByItsSecretHashAndRecordsWhereItWasCreated() throws {
        var harness = Harness()
        harness.apply(.registerJob(Fixture.job("unrelated"), evaluation: nil, submitTime: harness.now))
        let outcome = try harness.apply(.upsertACLToken(Self.token("ci", policy: .submitJob, namespace: "prod", hash: "b"))).get()
        #expect(outcome.changedTables == [.aclTokens])
        let found = try #require(harness.store.aclToken(secretHash: Self.hash("b")))
        #expect(found.name == "ci" && found.policy == .submitJob && found.namespace == "prod")
        #expect(found.createIndex == 2 && found.modifyIndex == 2)
        #expect(found.createTime == Timestamp(nanosecondsSinceEpoch: 42))
        #expect(harness.store.index(of: .aclTokens) == 2)
        #expect(harness.store.aclToken(secretHash: Self.hash("c")) == nil)
        // A hash that differs only in its last digit is not a match.
        #expect(harness.store.aclToken(secretHash: String(repeating: "b", count: 63) + "c") == nil)
    }

    @Test func tokensThatBreakThePolicyRulesAreRefused() {
        var harness = Harness()
        let refusals: [ACLToken] = [
            Self.token("", hash: "1"),
            Self.token(String(repeating: "x", count: 129), hash: "2"),
            Self.token("bell\u{7}", hash: "3"),
            Self.token("ci", policy: .submitJob, namespace: nil, hash: "4"),
            Self.token("ops", policy: .management, namespace: "prod", hash: "5"),
            Self.token("dash", policy: .readOnly, namespace: "*", hash: "6"),
            ACLToken(accessorID: ACLAccessorID(uuid: "short"), name: "x", policy: .readOnly, secretHash: "abc", createTime: .zero),
            ACLToken(accessorID: ACLAccessorID(uuid: "upper"), name: "x", policy: .readOnly, secretHash: Self.hash("A"), createTime: .zero),
        ]
        for token in refusals {
            guard case .failure(.invalid) = harness.apply(.upsertACLToken(token)) else {
                Issue.record("\(token) was accepted")
                continue
            }
        }
        #expect(harness.store.aclTokens().isEmpty)
    }

    @Test func twoTokensCannotShareASecret() {
        var harness = Harness()
        harness.apply(.upsertACLToken(Self.token("first", hash: "a", accessor: "first")))
        let second = harness.apply(.upsertACLToken(Self.token("second", policy: .readOnly, hash: "a", accessor: "second")))
        #expect(second == .failure(.invalid("another ACL token has the same secret")))
    }

    @Test func theBootstrapTokenIsAppliedOnceAndRepeatingTheSameProposalIsHarmless() throws {
        var harness = Harness()
        let first = Self.token("Bootstrap", hash: "a", accessor: "first")
        #expect(try harness.apply(.bootstrapACL(first)).get().changedTables == [.aclTokens])
        #expect(harness.store.aclBootstrapAccessor == first.accessorID)
        // The same proposal committed twice (a leader change in between): no error, no change.
        #expect(try harness.apply(.bootstrapACL(first)).get().changedTables == [])
        // Another manager's proposal is refused: only one bootstrap secret ever works.
        let second = Self.token("Bootstrap", hash: "b", accessor: "second")
        guard case .failure(.invalid(let message)) = harness.apply(.bootstrapACL(second)) else {
            Issue.record("a second bootstrap token was accepted")
            return
        }
        #expect(message.contains("already bootstrapped"))
        #expect(harness.store.aclTokens().map(\.accessorID) == [first.accessorID])
    }

    @Test func deletingTheBootstrapTokenDoesNotAllowBootstrappingAgain() throws {
        var harness = Harness()
        harness.apply(.bootstrapACL(Self.token("Bootstrap", hash: "a", accessor: "boot")))
        harness.apply(.upsertACLToken(Self.token("ops", hash: "b", accessor: "ops")))
        _ = try harness.apply(.deleteACLToken(ACLAccessorID(uuid: "boot"))).get()
        #expect(harness.store.aclBootstrapAccessor == ACLAccessorID(uuid: "boot"))
        guard case .failure = harness.apply(.bootstrapACL(Self.token("again", hash: "c", accessor: "again"))) else {
            Issue.record("the cluster was bootstrapped a second time")
            return
        }
    }

    @Test func theLastManagementTokenCannotBeDeletedOrDemoted() throws {
        var harness = Harness()
        harness.apply(.bootstrapACL(Self.token("Bootstrap", hash: "a", accessor: "boot")))
        harness.apply(.upsertACLToken(Self.token("dash", policy: .readOnly, hash: "b", accessor: "dash")))
        guard case .failure(.invalid(let message)) = harness.apply(.deleteACLToken(ACLAccessorID(uuid: "boot"))) else {
            Issue.record("the last management token was deleted")
            return
        }
        #expect(message.contains("last management token"))
        guard case .failure = harness.apply(.upsertACLToken(Self.token("Bootstrap", policy: .readOnly, hash: "a", accessor: "boot"))) else {
            Issue.record("the last management token lost its policy")
            return
        }
        // With a second management token, the first can go.
        harness.apply(.upsertACLToken(Self.token("ops", hash: "c", accessor: "ops")))
        _ = try harness.apply(.deleteACLToken(ACLAccessorID(uuid: "boot"))).get()
        #expect(harness.store.aclTokens().map(\.name) == ["dash", "ops"])
    }

    @Test func deletingAnUnknownTokenChangesNothing() throws {
        var harness = Harness()
        let outcome = try harness.apply(.deleteACLToken(ACLAccessorID(uuid: "gone"))).get()
        #expect(outcome.changedTables.isEmpty)
    }

    @Test func snapshotsCarryTokensAndTheBootstrapMarkAndRestoreThemEqually() throws {
        var harness = Harness()
        harness.apply(.bootstrapACL(Self.token("Bootstrap", hash: "a", accessor: "boot")))
        harness.apply(.upsertACLToken(Self.token("ci", policy: .submitJob, namespace: "*", hash: "b", accessor: "ci")))
        let snapshot = harness.store.snapshot()
        #expect(snapshot.aclTokens.map(\.name) == ["Bootstrap", "ci"])
        let decoded = try JSONDecoder().decode(StateSnapshot.self, from: JSONEncoder().encode(snapshot))
        let restored = StateStore(restoring: decoded)
        #expect(restored == harness.store)
        #expect(restored.aclBootstrapAccessor == ACLAccessorID(uuid: "boot"))
        #expect(restored.aclToken(secretHash: Self.hash("b"))?.name == "ci")
    }

    @Test func aSnapshotWrittenBeforeACLsExistedStillRestoresWithNoTokens() throws {
        var harness = Harness()
        harness.apply(.registerJob(Fixture.job("web"), evaluation: nil, submitTime: harness.now))
        var object = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(harness.store.snapshot())) as? [String: Any])
        object["aclTokens"] = nil
        object["aclBootstrapAccessor"] = nil
        let old = try JSONSerialization.data(withJSONObject: object)
        let restored = StateStore(restoring: try JSONDecoder().decode(StateSnapshot.self, from: old))
        #expect(restored.job(id: "web") != nil)
        #expect(restored.aclTokens().isEmpty && restored.aclBootstrapAccessor == nil)
    }
}
