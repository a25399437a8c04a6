import ClusterModel
import Foundation
@testable import Manager
import Raft
import StateStore
import Testing

/// The state every manager replicates, fed the way Raft feeds it (encoded commands at log
/// indexes), and the snapshots that catch a lagging manager up.
@Suite struct ManagerStateMachineTests {
    static let now = Timestamp(nanosecondsSinceEpoch: 1_700_000_000_000_000_000)

    static func apply(_ command: ReplicatedCommand, at index: UInt64, to machine: ManagerStateMachine) throws -> Result<ApplyOutcome, StateError> {
        try ManagerStateMachine.decodeResult(machine.apply(try ManagerStateMachine.encode(command, binaryPlans: true), at: index))
    }

    static func populated() throws -> ManagerStateMachine {
        let machine = ManagerStateMachine()
        _ = try apply(.upsertServer(ServerEntry(id: RaftNodeID(7), name: "m1", raftAddress: "10.0.0.1:4647", httpAddress: "10.0.0.1:4646")), at: 2, to: machine)
        _ = try apply(.state(.registerJob(ManagerServerTests.job("web"), evaluation: nil, submitTime: now)), at: 3, to: machine)
        _ = try apply(.state(.upsertNode(ManagerServerTests.node("n1"), evaluations: [], time: now)), at: 5, to: machine)
        return machine
    }

    @Test func commandsAppliedAtRaftIndexesKeepThoseIndexes() throws {
        let machine = try Self.populated()
        #expect(machine.store.latestIndex == 5)
        #expect(machine.store.job(id: "web")?.createIndex == 3)
        #expect(machine.servers.map(\.name) == ["m1"])
    }

    @Test func aManagerRestoredFromASnapshotHoldsTheSameStateAndServerList() throws {
        let original = try Self.populated()
        let restored = ManagerStateMachine()
        try restored.restore(original.snapshot())
        #expect(restored.store.snapshot() == original.store.snapshot())
        #expect(restored.servers == original.servers)
        // It goes on applying where the snapshot ended.
        let next = try Self.apply(.state(.registerJob(ManagerServerTests.job("api"), evaluation: nil, submitTime: Self.now)), at: 6, to: restored)
        #expect(try next.get().index == 6)
    }

    @Test func aCommandNoManagerCanReadIsRefusedAndChangesNothing() throws {
        let machine = try Self.populated()
        let before = machine.store.snapshot()
        let result = try ManagerStateMachine.decodeResult(machine.apply(Array("{\"future\":{}}".utf8), at: 6))
        guard case .failure(.invalid(let message)) = result else {
            Issue.record("expected a refusal, got \(result)")
            return
        }
        #expect(message.contains("index 6"))
        #expect(machine.store.snapshot() == before)
    }

    @Test func restoringASavedStateReplacesEverythingAtTheCommandsIndex() throws {
        let machine = try Self.populated()
        let saved = machine.store.snapshot()
        _ = try Self.apply(.state(.registerJob(ManagerServerTests.job("later"), evaluation: nil, submitTime: Self.now)), at: 6, to: machine)
        let outcome = try Self.apply(.restoreState(saved), at: 9, to: machine).get()
        #expect(outcome.index == 9)
        #expect(machine.store.job(id: "later") == nil)
        #expect(machine.store.job(id: "web") != nil)
        #expect(machine.store.latestIndex == 9)
        // Blocking queries on any table wake: every table changed at the restore.
        #expect(StateTable.allCases.allSatisfy { machine.store.index(of: $0) == 9 })
        // The managers themselves are not part of a saved state.
        #expect(machine.servers.map(\.name) == ["m1"])
    }
}

/// `operator snapshot save`'s file: checked before anything is replaced.
@Suite struct SnapshotArchiveTests {
    static func saved() throws -> [UInt8] {
        try SnapshotArchive.encode(ManagerStateMachineTests.populated().store.snapshot())
    }

    @Test func aSavedFileReadsBackToTheSameState() throws {
        let machine = try ManagerStateMachineTests.populated()
        #expect(try SnapshotArchive.decode(SnapshotArchive.encode(machine.store.snapshot())) == machine.store.snapshot())
    }

    @Test func aFlippedByteIsCaughtByTheChecksum() throws {
        var bytes = try Self.saved()
        bytes[bytes.count - 10] ^= 0x20
        #expect(throws: SnapshotArchiveError.digestMismatch) { try SnapshotArchive.decode(bytes) }
    }

    @Test func aTruncatedFileSaysHowMuchIsMissing() throws {
        let bytes = try Self.saved()
        let error = #expect(throws: SnapshotArchiveError.self) { try SnapshotArchive.decode(Array(bytes.dropLast(100))) }
        guard case .truncated(let expected, let found) = error else {
            Issue.record("expected truncated, got \(String(describing: error))")
            return
        }
        #expect(expected - found == 100)
    }

    @Test func anotherFileIsNotTakenForASnapshot() {
        #expect(throws: SnapshotArchiveError.notASnapshot) { try SnapshotArchive.decode(Array("job \"web\" {}\n".utf8)) }
        #expect(throws: SnapshotArchiveError.notASnapshot) { try SnapshotArchive.decode([]) }
    }
}
