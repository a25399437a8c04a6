import ClusterModel
import Foundation
@testable import Manager
import Raft
import RaftRuntime
import Synchronization
import Testing

/// Three managers on Raft over loopback, in this process, sharing one simulated clock: the
/// launcher runs on whichever leads, and a leader change neither skips nor repeats a launch.
@Suite(.serialized) struct PeriodicLeaderChangeTests {
    /// Hands a follower's writes to the leader's manager object directly (no HTTP).
    final class DirectForwarder: LeaderForwarding {
        let managers = Mutex<[RaftNodeID: ManagerServer]>([:])

        func submit(_ command: ReplicatedCommand, to leader: ServerEntry) async throws(ForwardingFailure) -> ReplicatedResult {
            guard let manager = managers.withLock({ $0[leader.id] }) else { throw .notDelivered("manager \(leader.id) is gone") }
            switch await manager.applyForwarded(command) {
            case .answered(let result): return result
            case .notLeader: throw .notDelivered("manager \(leader.id) does not lead")
            case .unavailable(let message): throw .outcomeUnknown(message)
            }
        }
    }

    /// Reserves free loopback ports by binding and releasing them (the managers then bind them).
    static func freePorts(_ count: Int) throws -> [Int] {
        try (0..<count).map { _ in
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(descriptor) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw CancellationError() }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            return Int(UInt16(bigEndian: address.sin_port))
        }
    }

    /// Waits, with a generous bound, until `condition` holds.
    static func waitFor(_ what: String, timeout: Duration = .seconds(120), _ condition: () async -> Bool) async throws {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for: \(what)")
        throw CancellationError()
    }

    static func leader(among managers: [ManagerServer]) async -> ManagerServer? {
        for manager in managers where await manager.leads {
            if case .here = await manager.leaderLocation() { return manager }
        }
        return nil
    }

    static func children(on manager: ManagerServer) async -> [String] {
        await manager.snapshot().jobs().filter { $0.spec.parentID == "report" }.map(\.spec.id).sorted()
    }

    @Test func aNewLeaderLaunchesTheLatestMissedTimeOnceAndNeverRelaunchesARecordedOne() async throws {
        let clock = PeriodicTestClock(PeriodicTestClock.utc(2026, 4, 1, 10, 0))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("roost-periodic-\(UInt32.random(in: 0...UInt32.max))").path
        let ids = [RaftNodeID(1), RaftNodeID(2), RaftNodeID(3)]
        let ports = try Self.freePorts(3)
        var peers: [RaftNodeID: PeerAddress] = [:]
        for (index, id) in ids.enumerated() { peers[id] = PeerAddress(host: "127.0.0.1", port: ports[index]) }
        let forwarder = DirectForwarder()
        var managers: [ManagerServer] = []
        for (index, id) in ids.enumerated() {
            let manager = ManagerServer(clock: clock.read)
            forwarder.managers.withLock { $0[id] = manager }
            let settings = RaftShellSettings(
                raft: RaftSettings(id: id, seed: id.rawValue), dataDirectory: "\(directory)/\(id.rawValue)",
                listenPort: ports[index], peers: peers, tickInterval: .milliseconds(20), bootstrapVoters: Set(ids))
            try await manager.startReplicated(
                raft: settings,
                identity: ServerEntry(id: id, name: "m\(id.rawValue)", raftAddress: "127.0.0.1:\(ports[index])", httpAddress: "http://127.0.0.1:1"),
                forwarder: forwarder)
            await manager.start()
            managers.append(manager)
        }
        func stopAll() async {
            for manager in managers { await manager.shutDown() }
            try? FileManager.default.removeItem(atPath: directory)
        }
        do {
            try await Self.waitFor("a leader") { await Self.leader(among: managers) != nil }
            let first = try #require(await Self.leader(among: managers))
            _ = try await first.register(PeriodicLaunchTests.periodicJob(crons: ["*/5 * * * *"]))

            // 10:05 comes due: the leader's launcher (its own loop, not the test) launches it.
            clock.set(PeriodicTestClock.utc(2026, 4, 1, 10, 5))
            let at1005 = PeriodicLaunchTests.childID("report", PeriodicTestClock.utc(2026, 4, 1, 10, 5))
            for manager in managers {
                try await Self.waitFor("the 10:05 child everywhere") { await Self.children(on: manager) == [at1005] }
            }

            // The leader dies; later, 10:10 and 10:15 come due.
            await first.shutDown()
            managers.removeAll { $0 === first }
            forwarder.managers.withLock { managers in managers = managers.filter { $0.value !== first } }
            // A new leader at 10:07 finds 10:05 recorded and launches nothing.
            clock.set(PeriodicTestClock.utc(2026, 4, 1, 10, 7))
            try await Self.waitFor("a new leader") { await Self.leader(among: managers) != nil }
            let second = try #require(await Self.leader(among: managers))
            try await second.readBarrier()
            #expect(await second.launchDuePeriodicJobs() == [])
            #expect(await Self.children(on: second) == [at1005])
            clock.set(PeriodicTestClock.utc(2026, 4, 1, 10, 17))
            let at1015 = PeriodicLaunchTests.childID("report", PeriodicTestClock.utc(2026, 4, 1, 10, 15))
            for manager in managers {
                try await Self.waitFor("the 10:15 child on the survivors") { await Self.children(on: manager) == [at1005, at1015] }
            }
            // However often the survivors look now, nothing more is due: no repeat of 10:05 or 10:15.
            for manager in managers {
                #expect(await manager.launchDuePeriodicJobs() == [])
            }
            #expect(await Self.children(on: managers[0]) == [at1005, at1015])

            // And the schedule goes on under the new leader.
            clock.set(PeriodicTestClock.utc(2026, 4, 1, 10, 20))
            let at1020 = PeriodicLaunchTests.childID("report", PeriodicTestClock.utc(2026, 4, 1, 10, 20))
            for manager in managers {
                try await Self.waitFor("the 10:20 child on the survivors") { await Self.children(on: manager) == [at1005, at1015, at1020] }
            }
        } catch {
            await stopAll()
            throw error
        }
        await stopAll()
    }
}
