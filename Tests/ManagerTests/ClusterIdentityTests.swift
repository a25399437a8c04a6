import ClusterSecurity
import Foundation
@testable import Manager
import StateStore
import Testing

/// The cluster identity as Raft applies it: created once, tokens rotated, serials taken from
/// log indexes, revocations kept, and all of it carried by snapshots.
@Suite struct ClusterIdentityTests {
    static func apply(_ command: ClusterIdentityCommand, at index: UInt64, to machine: ManagerStateMachine) throws -> Result<ApplyOutcome, StateError> {
        try ManagerStateMachineTests.apply(.clusterIdentity(command), at: index, to: machine)
    }

    @Test func theFirstIdentityIsKeptAndASecondCreateIsRefused() throws {
        let machine = ManagerStateMachine()
        let first = ClusterIdentity.create(gossipKeys: [[UInt8](repeating: 3, count: 32)])
        #expect(try Self.apply(.create(first), at: 1, to: machine).get().index == 1)
        let second = try Self.apply(.create(.create(gossipKeys: [])), at: 2, to: machine)
        guard case .failure(.invalid(let message)) = second else {
            Issue.record("a second identity was accepted")
            return
        }
        #expect(message.contains("already has its identity"))
        #expect(machine.clusterIdentity == first)
    }

    @Test func rotatingTheGossipKeyLeavesOnlyTheNewKeyAndRefusesAMalformedOne() throws {
        let machine = ManagerStateMachine()
        _ = try Self.apply(.create(ClusterIdentity.create(gossipKeys: [[UInt8](repeating: 3, count: 32)])), at: 1, to: machine)
        let fresh = [UInt8](repeating: 9, count: 32)
        _ = try Self.apply(.rotateGossipKey(key: fresh), at: 2, to: machine)
        #expect(machine.clusterIdentity?.gossipKeys == [fresh])
        guard case .failure = try Self.apply(.rotateGossipKey(key: [1, 2, 3]), at: 3, to: machine) else {
            Issue.record("a 3-byte gossip key was accepted")
            return
        }
        #expect(machine.clusterIdentity?.gossipKeys == [fresh])
    }

    @Test func rotatingAWorkerTokenChangesOnlyTheWorkerToken() throws {
        let machine = ManagerStateMachine()
        let identity = ClusterIdentity.create(gossipKeys: [])
        _ = try Self.apply(.create(identity), at: 1, to: machine)
        _ = try Self.apply(.rotateJoinToken(.worker), at: 2, to: machine)
        let rotated = try #require(machine.clusterIdentity)
        #expect(rotated.generation(of: .worker) == 2)
        #expect(rotated.joinToken(for: .worker) != identity.joinToken(for: .worker))
        #expect(rotated.joinToken(for: .manager) == identity.joinToken(for: .manager))
        #expect(rotated.joinKeys[.worker] == rotated.joinToken(for: .worker).joinKey)
        #expect(rotated.caPublicKey == identity.caPublicKey)
    }

    @Test func commandsBeforeTheIdentityExistsAreRefusedWithWhatToDo() throws {
        let machine = ManagerStateMachine()
        guard case .failure(.invalid(let message)) = try Self.apply(.rotateJoinToken(.worker), at: 1, to: machine) else {
            Issue.record("a rotation without an identity was applied")
            return
        }
        #expect(message.contains("retry shortly"))
    }

    @Test func serialsAreLogIndexesAndRevocationsAreRememberedAcrossASnapshot() throws {
        let machine = ManagerStateMachine()
        _ = try Self.apply(.create(.create(gossipKeys: [])), at: 1, to: machine)
        let serial = try Self.apply(.recordCertificate(nodeID: "n1", role: .worker), at: 5, to: machine).get().index
        #expect(serial == 5)
        _ = try Self.apply(.revokeCertificate(serial: serial, notAfter: 2_000, now: 1_000), at: 6, to: machine)
        let restored = ManagerStateMachine()
        try restored.restore(machine.snapshot())
        let identity = try #require(restored.clusterIdentity)
        #expect(identity.lastSerial == 5)
        #expect(identity.revoked.contains(5))
        #expect(identity.policy.revokedSerials == [5])
        #expect(identity == machine.clusterIdentity)
    }

    @Test func aSnapshotFromBeforeIdentitiesStillRestores() throws {
        let machine = try ManagerStateMachineTests.populated()
        var json = try #require(try JSONSerialization.jsonObject(with: Data(machine.snapshot())) as? [String: Any])
        json["clusterIdentity"] = nil
        let restored = ManagerStateMachine()
        try restored.restore(Array(try JSONSerialization.data(withJSONObject: json)))
        #expect(restored.clusterIdentity == nil)
        #expect(restored.servers == machine.servers)
    }
}
