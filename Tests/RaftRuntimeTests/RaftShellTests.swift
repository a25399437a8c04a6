import Foundation
import Raft
import RaftRuntime
import Synchronization
import Testing

/// A key-value machine: `key=value` commands; the result is the previous value.
final class KeyValueMachine: RaftStateMachine {
    let values = Mutex<[String: String]>([:])

    func apply(_ command: [UInt8], at index: UInt64) -> [UInt8] {
        let text = String(decoding: command, as: UTF8.self)
        guard let equals = text.firstIndex(of: "=") else { return [] }
        let key = String(text[..<equals])
        let value = String(text[text.index(after: equals)...])
        let previous = values.withLock { values in
            defer { values[key] = value }
            return values[key]
        }
        return Array((previous ?? "").utf8)
    }

    func snapshot() -> [UInt8] {
        Array(values.withLock { $0.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n") }.utf8)
    }

    func restore(_ snapshot: [UInt8]) throws {
        var restored: [String: String] = [:]
        for line in String(decoding: snapshot, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { restored[String(parts[0])] = String(parts[1]) }
        }
        values.withLock { $0 = restored }
    }

    subscript(key: String) -> String? { values.withLock { $0[key] } }
}

/// Three real Raft nodes in one process, on loopback ports, with write-ahead logs on disk.
@Suite(.serialized) struct RaftShellTests {
    static let ids = [RaftNodeID(1), RaftNodeID(2), RaftNodeID(3)]

    /// Reserves three free ports by binding and releasing them (the nodes then bind them).
    static func freePorts() throws -> [Int] {
        try (0..<3).map { _ in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw CancellationError() }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            return Int(UInt16(bigEndian: address.sin_port))
        }
    }

    struct Cluster {
        var shells: [RaftNodeID: RaftShell] = [:]
        var machines: [RaftNodeID: KeyValueMachine] = [:]
        let directory: String
        let ports: [Int]

        func settings(for id: RaftNodeID) -> RaftShellSettings {
            var peers: [RaftNodeID: PeerAddress] = [:]
            for (index, peer) in RaftShellTests.ids.enumerated() { peers[peer] = PeerAddress(host: "127.0.0.1", port: ports[index]) }
            return RaftShellSettings(
                raft: RaftSettings(id: id, seed: id.rawValue), dataDirectory: "\(directory)/\(id.rawValue)",
                listenPort: ports[RaftShellTests.ids.firstIndex(of: id)!], peers: peers, tickInterval: .milliseconds(20),
                snapshotThreshold: 50, entriesKeptAfterSnapshot: 10, bootstrapVoters: Set(RaftShellTests.ids))
        }

        mutating func start(_ id: RaftNodeID) async throws {
            let machine = KeyValueMachine()
            shells[id] = try await RaftShell.start(settings: settings(for: id), stateMachine: machine)
            machines[id] = machine
        }

        mutating func stop(_ id: RaftNodeID) async {
            await shells.removeValue(forKey: id)?.shutdown()
            machines[id] = nil
        }

        func leader() async -> RaftShell? {
            for shell in shells.values where await shell.softState.role == .leader { return shell }
            return nil
        }

        func stopAll() async {
            for shell in shells.values { await shell.shutdown() }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Bounded generously: other suites' CPU-heavy simulations share the 2-thread cooperative
    /// pool and can starve this one for tens of seconds; only a real hang should hit the bound.
    static func waitFor(_ what: String, timeout: Duration = .seconds(120), _ condition: () async -> Bool) async throws {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < timeout {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for: \(what)")
        throw CancellationError()
    }

    static func makeCluster() async throws -> Cluster {
        var cluster = Cluster(directory: NSTemporaryDirectory() + "raft-shell-\(UUID().uuidString.prefix(8))", ports: try freePorts())
        for id in ids { try await cluster.start(id) }
        return cluster
    }

    @Test func aWriteAcknowledgedByTheLeaderIsAppliedOnEveryNode() async throws {
        let cluster = try await Self.makeCluster()
        do {
            try await Self.aWriteIsAppliedEverywhere(cluster)
        } catch {
            await cluster.stopAll()
            throw error
        }
        await cluster.stopAll()
    }

    static func aWriteIsAppliedEverywhere(_ cluster: Cluster) async throws {
        try await Self.waitFor("a leader") { await cluster.leader() != nil }
        let leader = try #require(await cluster.leader())
        #expect(try await leader.propose(Array("x=1".utf8)) == [])
        #expect(try await leader.propose(Array("x=2".utf8)) == Array("1".utf8))
        try await Self.waitFor("every node applied x=2") { cluster.machines.values.allSatisfy { $0["x"] == "2" } }
        let follower = try #require(cluster.shells.values.first { $0.id != leader.id })
        await #expect(throws: RaftShellError.self) { try await follower.propose(Array("y=1".utf8)) }
    }

    @Test func concurrentWritesEachGetTheirOwnAnswerAndAStoppedNodeRefusesWritesAtOnce() async throws {
        let cluster = try await Self.makeCluster()
        do {
            try await Self.concurrentWrites(cluster)
        } catch {
            await cluster.stopAll()
            throw error
        }
        await cluster.stopAll()
        let stopped = try #require(cluster.shells.values.first)
        await #expect(throws: RaftShellError.shutDown) { try await stopped.propose(Array("z=1".utf8)) }
    }

    /// Writes that arrive together leave in shared batches; each must still be answered with
    /// its own result: the values they replaced, plus the final one, are every value once.
    static func concurrentWrites(_ cluster: Cluster) async throws {
        try await Self.waitFor("a leader") { await cluster.leader() != nil }
        let leader = try #require(await cluster.leader())
        let count = 200
        let previous = try await withThrowingTaskGroup(of: String.self) { group in
            for n in 0..<count {
                group.addTask { String(decoding: try await leader.propose(Array("x=\(n)".utf8)), as: UTF8.self) }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        let final = try #require(cluster.machines[leader.id]?["x"])
        #expect((previous + [final]).sorted() == ([""] + (0..<count).map { String($0) }).sorted())
    }

    @Test func afterTheLeaderStopsANewOneTakesWritesAndTheOldOneCatchesUpFromItsDisk() async throws {
        var cluster = try await Self.makeCluster()
        do {
            try await Self.failOver(&cluster)
        } catch {
            await cluster.stopAll()
            throw error
        }
        await cluster.stopAll()
    }

    static func failOver(_ cluster: inout Cluster) async throws {
        try await Self.waitFor("a leader") { await cluster.leader() != nil }
        let first = try #require(await cluster.leader())
        // Enough writes to cross the snapshot threshold, so a snapshot and compaction happen.
        for n in 0..<60 { _ = try await first.propose(Array("k\(n % 7)=\(n)".utf8)) }
        let snapshotFiles = try FileManager.default.contentsOfDirectory(atPath: "\(cluster.directory)/\(first.id.rawValue)/snapshots")
        #expect(!snapshotFiles.isEmpty, "60 writes over a threshold of 50 must have made a snapshot")
        await cluster.stop(first.id)
        try await Self.waitFor("a new leader") { await cluster.leader() != nil }
        let second = try #require(await cluster.leader())
        #expect(second.id != first.id)
        _ = try await second.propose(Array("after=failover".utf8))
        try await cluster.start(first.id)
        try await Self.waitFor("the restarted node caught up") { cluster.machines[first.id]?["after"] == "failover" }
        #expect(cluster.machines[first.id]?["k3"] == cluster.machines[second.id]?["k3"])
        // A linearizable read on a follower sees the acknowledged write.
        let follower = try #require(cluster.shells[first.id])
        try await follower.readBarrier()
        #expect(cluster.machines[first.id]?["after"] == "failover")
    }
}

extension RaftShellTests {
    /// A follower asks the leader to confirm a read just as the leader stops: the request is
    /// lost with it. The follower asks again once an election timeout passes, so the read is
    /// confirmed by the next leader instead of waiting forever.
    @Test func aReadWhoseRequestIsLostIsAskedAgainAndConfirmedByTheNextLeader() async throws {
        var cluster = try await Self.makeCluster()
        do {
            try await Self.waitFor("a leader") { await cluster.leader() != nil }
            let leader = try #require(await cluster.leader())
            // Every node knows the leader once a write has committed everywhere.
            _ = try await leader.propose(Array("k=v".utf8))
            let follower = try #require(cluster.shells.values.first { $0.id != leader.id })
            try await Self.waitFor("the follower knows the leader") { await follower.leader == leader.id }
            await cluster.stop(leader.id)
            let confirmed = Mutex(false)
            let read = Task {
                do {
                    try await follower.readBarrier()
                    confirmed.withLock { $0 = true }
                } catch {
                    Issue.record("the read failed: \(error)")
                }
            }
            try await Self.waitFor("the read is confirmed") { confirmed.withLock { $0 } }
            read.cancel()
        } catch {
            await cluster.stopAll()
            throw error
        }
        await cluster.stopAll()
    }
}
