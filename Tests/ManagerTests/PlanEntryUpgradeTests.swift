import ClusterModel
import Foundation
@testable import Manager
import Raft
import StateStore
import Testing

/// A rolling upgrade from a build that reads JSON log entries only: the leader must not write
/// binary plans while any manager of the cluster could not apply them.
@Suite struct PlanEntryUpgradeTests {
    static func entry(_ id: UInt64, logFormat: Int?) -> ServerEntry {
        ServerEntry(id: RaftNodeID(id), name: "m\(id)", raftAddress: "10.0.0.\(id):4647", httpAddress: "10.0.0.\(id):4646", logFormat: logFormat)
    }

    /// The shape of a server entry in builds from before `logFormat`.
    struct EntryOfAnOlderBuild: Codable, Equatable {
        var id: RaftNodeID
        var name: String
        var raftAddress: String
        var httpAddress: String
    }

    @Test("plans are logged as JSON while one manager reads only JSON, and in binary once every manager announced that it reads binary plans")
    func binaryPlansWaitForEveryManager() throws {
        let machine = ManagerStateMachine()
        #expect(!machine.everyServerReadsBinaryPlans, "no manager known yet: JSON")
        _ = try ManagerStateMachineTests.apply(.upsertServer(Self.entry(1, logFormat: ServerEntry.currentLogFormat)), at: 1, to: machine)
        _ = try ManagerStateMachineTests.apply(.upsertServer(Self.entry(2, logFormat: nil)), at: 2, to: machine)
        _ = try ManagerStateMachineTests.apply(.upsertServer(Self.entry(3, logFormat: ServerEntry.currentLogFormat)), at: 3, to: machine)
        var random = SeededRandom(seed: 5)
        let plan = ReplicatedCommand.state(.submitPlan(PlanEntryCodecTests.randomPlan(&random), time: Timestamp(nanosecondsSinceEpoch: 1)))

        #expect(!machine.everyServerReadsBinaryPlans)
        let mixed = try ManagerStateMachine.encode(plan, binaryPlans: machine.everyServerReadsBinaryPlans)
        #expect(!PlanEntryCodec.isBinaryPlan(mixed))
        // What a manager of the older build does with the entry: JSON decoding alone.
        #expect(try JSONDecoder().decode(ReplicatedCommand.self, from: Data(mixed)) == plan)

        // Manager 2 restarted on the new build and announced itself.
        _ = try ManagerStateMachineTests.apply(.upsertServer(Self.entry(2, logFormat: ServerEntry.currentLogFormat)), at: 4, to: machine)
        #expect(machine.everyServerReadsBinaryPlans)
        let upgraded = try ManagerStateMachine.encode(plan, binaryPlans: machine.everyServerReadsBinaryPlans)
        #expect(PlanEntryCodec.isBinaryPlan(upgraded))
        #expect(try ManagerStateMachine.decode(upgraded) == plan)
    }

    @Test("a server entry of this build reads back in an older build, and an older build's entry reads here as JSON-only")
    func serverEntriesCrossBuilds() throws {
        let current = Self.entry(4, logFormat: ServerEntry.currentLogFormat)
        let older = try JSONDecoder().decode(EntryOfAnOlderBuild.self, from: JSONEncoder().encode(current))
        #expect(older == EntryOfAnOlderBuild(id: current.id, name: current.name, raftAddress: current.raftAddress, httpAddress: current.httpAddress))
        let fromOlder = try JSONDecoder().decode(ServerEntry.self, from: JSONEncoder().encode(older))
        #expect(fromOlder.logFormat == nil && !fromOlder.readsBinaryPlans)
    }

    @Test("three managers of this build announce that they read binary plans, so their leader logs plans in binary")
    func managersOfThisBuildAnnounceTheirLogFormat() async throws {
        let trio = try await InProcessManagerTrio.start(label: "logformat", clock: { ManagerStateMachineTests.now })
        var failure: (any Error)?
        do {
            let leader = try await trio.waitForLeader()
            try await InProcessManagerTrio.waitFor("every manager's entry carries this build's log format") {
                let servers = await leader.state.servers
                return servers.count == 3 && servers.allSatisfy { $0.logFormat == ServerEntry.currentLogFormat }
            }
            #expect(await leader.state.machine.everyServerReadsBinaryPlans)
        } catch {
            failure = error
        }
        await trio.stop()
        if let failure { throw failure }
    }
}
