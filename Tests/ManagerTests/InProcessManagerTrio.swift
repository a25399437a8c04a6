import ClusterModel
import Foundation
import Glibc
@testable import Manager
import Raft
import RaftRuntime
import Synchronization
import Testing

/// Hands a follower's writes straight to the leader's `applyForwarded`, as the HTTP forwarder
/// does over the network: the follower's path (refused locally, forwarded, answered) without
/// HTTP servers in the test.
final class InProcessForwarder: LeaderForwarding {
    private let managers = Mutex<[RaftNodeID: ManagerServer]>([:])

    func add(_ manager: ManagerServer, as id: RaftNodeID) { managers.withLock { $0[id] = manager } }
    func remove(_ manager: ManagerServer) { managers.withLock { $0 = $0.filter { $0.value !== manager } } }

    func submit(_ command: ReplicatedCommand, to leader: ServerEntry) async throws(ForwardingFailure) -> ReplicatedResult {
        guard let manager = managers.withLock({ $0[leader.id] }) else { throw .notDelivered("no manager \(leader.id) in this process") }
        switch await manager.applyForwarded(command) {
        case .answered(let result): return result
        case .notLeader: throw .notDelivered("\(leader.name) does not lead")
        case .unavailable(let message): throw .notDelivered(message)
        }
    }
}

/// Three managers on Raft over loopback TCP in this process, sharing one clock: what the tests
/// of "a leader change neither loses nor repeats anything" start from. Used by one test task at
/// a time; `stop()` shuts the managers down and removes their data.
final class InProcessManagerTrio: @unchecked Sendable {
    static let ids = [RaftNodeID(1), RaftNodeID(2), RaftNodeID(3)]
    let directory: String
    let forwarder = InProcessForwarder()
    private(set) var managers: [ManagerServer] = []

    private init(directory: String) { self.directory = directory }

    static func start(
        label: String, settings: ManagerSettings = ManagerSettings(), clock: @escaping @Sendable () -> Timestamp
    ) async throws -> InProcessManagerTrio {
        let trio = InProcessManagerTrio(
            directory: FileManager.default.temporaryDirectory.appendingPathComponent("roost-\(label)-\(UInt32.random(in: 0...UInt32.max))").path)
        let ports = try freePorts(ids.count)
        var peers: [RaftNodeID: PeerAddress] = [:]
        for (index, id) in ids.enumerated() { peers[id] = PeerAddress(host: "127.0.0.1", port: ports[index]) }
        do {
            for (index, id) in ids.enumerated() {
                let manager = ManagerServer(settings: settings, clock: clock)
                trio.forwarder.add(manager, as: id)
                let raft = RaftShellSettings(
                    raft: RaftSettings(id: id, seed: id.rawValue), dataDirectory: "\(trio.directory)/\(id.rawValue)",
                    listenPort: ports[index], peers: peers, tickInterval: .milliseconds(20), bootstrapVoters: Set(ids))
                try await manager.startReplicated(
                    raft: raft,
                    identity: ServerEntry(
                        id: id, name: "m\(id.rawValue)", raftAddress: "127.0.0.1:\(ports[index])", httpAddress: "http://127.0.0.1:1",
                        logFormat: ServerEntry.currentLogFormat),
                    forwarder: trio.forwarder)
                await manager.start()
                trio.managers.append(manager)
            }
        } catch {
            await trio.stop()
            throw error
        }
        return trio
    }

    /// The manager that leads and knows it, if any.
    func leader() async -> ManagerServer? {
        for manager in managers where await manager.leads {
            if case .here = await manager.leaderLocation() { return manager }
        }
        return nil
    }

    /// Waits for a leader (a generous bound) and returns it.
    func waitForLeader() async throws -> ManagerServer {
        try await Self.waitFor("a leader") { await self.leader() != nil }
        return try #require(await leader())
    }

    /// Shuts `manager` down, as a crashed leader: the others go on without it.
    func remove(_ manager: ManagerServer) async {
        await manager.shutDown()
        managers.removeAll { $0 === manager }
        forwarder.remove(manager)
    }

    func stop() async {
        for manager in managers { await manager.shutDown() }
        try? FileManager.default.removeItem(atPath: directory)
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

    /// Reserves free loopback ports by binding them all, then releasing them for the managers.
    static func freePorts(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { for fd in sockets { close(fd) } }
        return try (0..<count).map { _ in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            sockets.append(fd)
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
}
