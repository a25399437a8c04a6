import ClusterModel
import Foundation
import Glibc
@testable import Manager
import Raft
import RaftRuntime
import StateStore
import Synchronization
import Testing

/// Hands a follower's writes straight to the leader's `applyForwarded`, as the HTTP forwarder
/// does over the network: the follower's path (refused locally, forwarded, answered) without
/// HTTP servers in the test.
final class InProcessForwarder: LeaderForwarding {
    private let managers = Mutex<[RaftNodeID: ManagerServer]>([:])

    func add(_ manager: ManagerServer, as id: RaftNodeID) { managers.withLock { $0[id] = manager } }

    func submit(_ command: ReplicatedCommand, to leader: ServerEntry) async throws(ForwardingFailure) -> ReplicatedResult {
        guard let manager = managers.withLock({ $0[leader.id] }) else { throw .notDelivered("no manager \(leader.id) in this process") }
        switch await manager.applyForwarded(command) {
        case .answered(let result): return result
        case .notLeader: throw .notDelivered("\(leader.name) does not lead")
        case .unavailable(let message): throw .notDelivered(message)
        }
    }
}

/// Three managers on Raft in one process (loopback TCP between them): a dispatch sent to a
/// follower is forwarded, applied once as one command, seen by every manager, and scheduled
/// by the leader.
@Suite(.serialized) struct DispatchReplicationTests {
    static let ids = [RaftNodeID(1), RaftNodeID(2), RaftNodeID(3)]

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

    @Test(.timeLimit(.minutes(5)))
    func aDispatchSentToAFollowerIsForwardedAppliedOnceAndPlaced() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("roost-dispatch-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ports = try Self.freePorts(3)
        var peers: [RaftNodeID: PeerAddress] = [:]
        for (index, id) in Self.ids.enumerated() { peers[id] = PeerAddress(host: "127.0.0.1", port: ports[index]) }
        let forwarder = InProcessForwarder()
        var managers: [ManagerServer] = []
        for (index, id) in Self.ids.enumerated() {
            let manager = ManagerServer(settings: ManagerSettings(leaderWait: .seconds(30)), clock: ManagerServerTests.clock)
            forwarder.add(manager, as: id)
            let settings = RaftShellSettings(
                raft: RaftSettings(id: id, seed: id.rawValue), dataDirectory: "\(directory)/\(id.rawValue)", listenPort: ports[index],
                peers: peers, tickInterval: .milliseconds(20), bootstrapVoters: Set(Self.ids))
            try await manager.startReplicated(
                raft: settings,
                identity: ServerEntry(id: id, name: "m\(id.rawValue)", raftAddress: "127.0.0.1:\(ports[index])", httpAddress: "http://127.0.0.1:1"),
                forwarder: forwarder)
            await manager.start()
            managers.append(manager)
        }
        var failure: (any Error)?
        do { try await Self.dispatchThroughAFollower(managers) } catch { failure = error }
        for manager in managers { await manager.shutDown() }
        if let failure { throw failure }
    }

    static func dispatchThroughAFollower(_ managers: [ManagerServer]) async throws {
        // A follower: one that is not the leader once a leader is known to every manager.
        var follower: ManagerServer?
        let start = ContinuousClock.now
        while follower == nil, ContinuousClock.now - start < .seconds(60) {
            var leaders = 0
            var candidate: ManagerServer?
            for manager in managers {
                if await manager.leads { leaders += 1 } else { candidate = manager }
            }
            if leaders == 1 { follower = candidate } else { try await Task.sleep(for: .milliseconds(50)) }
        }
        let through = try #require(follower, "no leader was elected")

        try await through.registerNode(ManagerServerTests.node("w1"))
        _ = try await through.register(DispatchTests.parameterized("resize"))
        let dispatched = try await through.dispatch(
            DispatchRequest(jobID: "resize", payload: Array("cat.png".utf8), meta: ["size": "640x480"]))
        #expect(dispatched.jobID.hasPrefix("resize/dispatch-"))

        for manager in managers {
            let state = try await ManagerServerTests.state(of: manager, "the child replicated and placed") {
                !$0.allocations(jobID: dispatched.jobID).isEmpty
            }
            #expect(state.job(id: dispatched.jobID)?.spec.payload == Array("cat.png".utf8))
            #expect(state.job(id: dispatched.jobID)?.spec.meta["size"] == "640x480")
            #expect(state.jobs().filter { $0.spec.parentID == "resize" }.count == 1)
            #expect(state.evaluation(id: dispatched.evaluationID) != nil)
        }

        // A follower refuses with the same message the leader would give.
        do {
            _ = try await through.dispatch(DispatchRequest(jobID: "resize", payload: [1]))
            Issue.record("a dispatch without its required meta went through")
        } catch {
            #expect(error.description == "job \"resize\" requires meta key \"size\": add -meta size=VALUE")
        }
    }
}
