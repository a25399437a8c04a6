import ClusterModel
import ClusterSecurity
import Foundation
import Manager
import StateStore
import Synchronization
import Testing

@testable import ClusterRPC

/// The manager's side of worker RPC: a real single-node `ManagerServer` behind an
/// `RPCListener`, called through a real encrypted channel.
@Suite struct WorkerRPCServiceTests {
    static let clock: @Sendable () -> Timestamp = {
        Timestamp(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1_000_000_000))
    }

    /// A manager, its RPC listener, and a way to connect as any identity.
    struct Fixture {
        let cluster = RPCTestCluster()
        let manager = ManagerServer(clock: WorkerRPCServiceTests.clock)
        let managerIdentity: NodeIdentity
        let listener: RPCListener

        init(allowedRoles: Set<NodeRole> = [.worker, .manager], revoked: RevocationList = RevocationList()) async throws {
            managerIdentity = cluster.identity("manager-1", role: .manager)
            let service = WorkerRPCService(
                manager: manager, allowedRoles: allowedRoles,
                policy: { [cluster] in cluster.authority.policy(revokedSerials: revoked.serials) }, now: { RPCTestCluster.now })
            let identity = managerIdentity
            listener = try RPCListener(
                identity: { identity }, policy: { [cluster] in cluster.authority.policy() }, now: { RPCTestCluster.now },
                onChannel: { channel in await service.serveWorkerChannel(channel) })
            await manager.start()
        }

        func connect(as identity: NodeIdentity) async throws -> RPCClient {
            try await RPCClient.connect(
                host: "127.0.0.1", port: listener.port, identity: identity, policy: cluster.authority.policy(allowedRoles: [.manager]),
                now: { RPCTestCluster.now })
        }

        func tearDown(_ clients: RPCClient...) async {
            for client in clients { client.close() }
            await listener.shutdown()
            await manager.shutDown()
        }
    }

    /// Serials revoked after the channel was made (the service re-reads its policy).
    final class RevocationList: Sendable {
        private let revoked = Mutex<Set<UInt64>>([])
        var serials: Set<UInt64> { revoked.withLock { $0 } }
        func revoke(_ serial: UInt64) { revoked.withLock { _ = $0.insert(serial) } }
    }

    static func node(id: String, name: String) -> Node {
        Node(
            id: NodeID(uuid: id), name: name, attributes: ["kernel.name": "linux", "driver.raw_exec": "1"],
            resources: NodeResources(cpuMHz: 4000, cores: 2, memoryMiB: 4096),
            drivers: ["raw_exec": DriverHealth(detected: true, healthy: true)])
    }

    static func call<Reply: Decodable>(
        _ client: RPCClient, _ method: WorkerRPC.Method, _ request: some Encodable, as reply: Reply.Type
    ) async throws -> Reply {
        let body = try await client.call(method.rawValue, body: try WorkerRPC.encode(request), timeout: .seconds(120))
        return try WorkerRPC.decode(reply, from: body, method: method.rawValue)
    }

    static func expectRefusal(_ code: RPCError.Code, containing text: String, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("the request was accepted")
        } catch let error as RPCError {
            #expect(error.code == code, "\(error)")
            #expect(error.message.contains(text), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func aWorkerRegistersHeartbeatsAndSeesItsNodeReady() async throws {
        let fixture = try await Fixture()
        let worker = fixture.cluster.identity("worker-1", role: .worker)
        let client = try await fixture.connect(as: worker)
        let node = Self.node(id: worker.certificate.certificate.nodeID, name: "worker-1")
        _ = try await Self.call(client, .registerNode, WorkerRPC.RegisterNode(node: node), as: WorkerRPC.Empty.self)
        let reply = try await Self.call(client, .heartbeat, WorkerRPC.Heartbeat(nodeID: node.id), as: WorkerRPC.HeartbeatReply.self)
        #expect(reply.ttl >= .seconds(1))
        #expect(await fixture.manager.snapshot().node(id: node.id)?.status == .ready)
        await fixture.tearDown(client)
    }

    /// How a worker's log API checks the token a client gave it: the manager says whether the
    /// secret is a token, and nothing more.
    @Test func aWorkerLearnsWhetherASecretIsOneOfTheClustersTokens() async throws {
        let fixture = try await Fixture()
        let (token, secret) = try await fixture.manager.createACLToken(name: "ci", policy: .readOnly, namespace: nil)
        let client = try await fixture.connect(as: fixture.cluster.identity("worker-1", role: .worker))
        let known = try await Self.call(client, .resolveToken, WorkerRPC.ResolveToken(secret: secret), as: WorkerRPC.ResolvedToken.self)
        #expect(known == WorkerRPC.ResolvedToken(name: token.name, policy: "read-only"))
        #expect(known.isValid)
        let unknown = try await Self.call(client, .resolveToken, WorkerRPC.ResolveToken(secret: secret + "0"), as: WorkerRPC.ResolvedToken.self)
        #expect(!unknown.isValid)
        #expect(unknown.name == nil)
        await fixture.tearDown(client)
    }

    @Test func anUnknownMethodIsRefusedWithTheMethodsTheManagerServes() async throws {
        let fixture = try await Fixture()
        let client = try await fixture.connect(as: fixture.cluster.identity("worker-1", role: .worker))
        await Self.expectRefusal(.unknownMethod, containing: "\"drainEverything\"") {
            _ = try await client.call("drainEverything", body: [], timeout: .seconds(120))
        }
        await fixture.tearDown(client)
    }

    @Test func aBodyThatIsNotTheMethodsShapeIsABadRequest() async throws {
        let fixture = try await Fixture()
        let client = try await fixture.connect(as: fixture.cluster.identity("worker-1", role: .worker))
        await Self.expectRefusal(.badRequest, containing: "heartbeat") {
            _ = try await client.call("heartbeat", body: Array("{\"nodeID\": 12}".utf8), timeout: .seconds(120))
        }
        await fixture.tearDown(client)
    }

    @Test func aWorkerMayNotHeartbeatOrPollForAnotherNode() async throws {
        let fixture = try await Fixture()
        let worker = fixture.cluster.identity("worker-1", role: .worker)
        let client = try await fixture.connect(as: worker)
        let other = NodeID(uuid: UUID().uuidString.lowercased())
        await Self.expectRefusal(.forbidden, containing: other.uuid) {
            _ = try await Self.call(client, .heartbeat, WorkerRPC.Heartbeat(nodeID: other), as: WorkerRPC.HeartbeatReply.self)
        }
        await Self.expectRefusal(.forbidden, containing: worker.certificate.certificate.nodeID) {
            _ = try await Self.call(
                client, .allocations, WorkerRPC.AllocationsQuery(nodeID: other, since: 0, wait: .zero), as: WorkerRPC.AllocationsReply.self)
        }
        await Self.expectRefusal(.forbidden, containing: "may not call registerNode") {
            _ = try await Self.call(
                client, .registerNode, WorkerRPC.RegisterNode(node: Self.node(id: other.uuid, name: "impostor")), as: WorkerRPC.Empty.self)
        }
        #expect(await fixture.manager.snapshot().node(id: other) == nil)
        await fixture.tearDown(client)
    }

    @Test func aWorkerMayNotReportOnAnotherNodesAllocation() async throws {
        let fixture = try await Fixture()
        // Another node, registered directly, gets an allocation.
        let victim = Self.node(id: UUID().uuidString.lowercased(), name: "victim")
        try await fixture.manager.registerNode(victim)
        _ = try await fixture.manager.register(Self.sleepJob("web"))
        let placed = try await Self.allocation(of: "web", on: fixture.manager)
        #expect(placed.nodeID == victim.id)

        let worker = fixture.cluster.identity("worker-1", role: .worker)
        let client = try await fixture.connect(as: worker)
        let ownID = NodeID(uuid: worker.certificate.certificate.nodeID)
        let forged = ClientAllocationUpdate(id: placed.id, clientStatus: .failed, clientDescription: "forged")
        await Self.expectRefusal(.forbidden, containing: "runs on node \(victim.id)") {
            _ = try await Self.call(
                client, .updateAllocations, WorkerRPC.UpdateAllocations(nodeID: ownID, updates: [forged]), as: WorkerRPC.Empty.self)
        }
        #expect(await fixture.manager.snapshot().allocation(id: placed.id)?.clientStatus != .failed)
        await fixture.tearDown(client)
    }

    @Test func aRoleTheServiceDoesNotAllowIsRefusedByName() async throws {
        let fixture = try await Fixture(allowedRoles: [.worker])
        let other = fixture.cluster.identity("manager-2", role: .manager)
        let client = try await fixture.connect(as: other)
        await Self.expectRefusal(.forbidden, containing: "manager certificate") {
            _ = try await Self.call(
                client, .heartbeat, WorkerRPC.Heartbeat(nodeID: NodeID(uuid: other.certificate.certificate.nodeID)),
                as: WorkerRPC.HeartbeatReply.self)
        }
        await fixture.tearDown(client)
    }

    @Test func aCertificateRevokedWhileConnectedLosesTheChannelsUseAtOnce() async throws {
        let revocations = RevocationList()
        let fixture = try await Fixture(revoked: revocations)
        let worker = fixture.cluster.identity("worker-1", role: .worker, serial: 77)
        let client = try await fixture.connect(as: worker)
        let node = Self.node(id: worker.certificate.certificate.nodeID, name: "worker-1")
        _ = try await Self.call(client, .registerNode, WorkerRPC.RegisterNode(node: node), as: WorkerRPC.Empty.self)
        revocations.revoke(77)
        await Self.expectRefusal(.forbidden, containing: "revoked") {
            _ = try await Self.call(client, .heartbeat, WorkerRPC.Heartbeat(nodeID: node.id), as: WorkerRPC.HeartbeatReply.self)
        }
        await fixture.tearDown(client)
    }

    @Test func theAllocationLongPollAnswersWhenAJobIsPlacedOnTheNodeAndReportsReachTheState() async throws {
        let fixture = try await Fixture()
        let worker = fixture.cluster.identity("worker-1", role: .worker)
        let client = try await fixture.connect(as: worker)
        let node = Self.node(id: worker.certificate.certificate.nodeID, name: "worker-1")
        _ = try await Self.call(client, .registerNode, WorkerRPC.RegisterNode(node: node), as: WorkerRPC.Empty.self)
        let first = try await Self.call(
            client, .allocations, WorkerRPC.AllocationsQuery(nodeID: node.id, since: 0, wait: .zero), as: WorkerRPC.AllocationsReply.self)
        #expect(first.allocations.isEmpty)

        // The poll waits on the manager while a heartbeat goes through on the same channel.
        async let polled = Self.call(
            client, .allocations, WorkerRPC.AllocationsQuery(nodeID: node.id, since: first.index, wait: .seconds(60)),
            as: WorkerRPC.AllocationsReply.self)
        _ = try await Self.call(client, .heartbeat, WorkerRPC.Heartbeat(nodeID: node.id), as: WorkerRPC.HeartbeatReply.self)
        _ = try await fixture.manager.register(Self.sleepJob("web"))
        var reply = try await polled
        while reply.allocations.isEmpty {
            reply = try await Self.call(
                client, .allocations, WorkerRPC.AllocationsQuery(nodeID: node.id, since: reply.index, wait: .seconds(60)),
                as: WorkerRPC.AllocationsReply.self)
        }
        let allocation = try #require(reply.allocations.first)
        #expect(allocation.nodeID == node.id && allocation.jobID == "web")

        let running = ClientAllocationUpdate(id: allocation.id, clientStatus: .running, clientDescription: "started")
        _ = try await Self.call(
            client, .updateAllocations, WorkerRPC.UpdateAllocations(nodeID: node.id, updates: [running]), as: WorkerRPC.Empty.self)
        #expect(await fixture.manager.snapshot().allocation(id: allocation.id)?.clientStatus == .running)
        await fixture.tearDown(client)
    }

    static func sleepJob(_ id: String) -> JobSpec {
        var task = TaskSpec(name: "t", driver: "raw_exec", config: ["command": .string("/bin/sleep"), "args": .list([.string("600")])])
        task.resources = Resources(cpuMHz: 100, memoryMiB: 64)
        let group = GroupSpec(
            name: "g", count: 1, tasks: [task], restart: RestartPolicy.defaults(for: .service),
            reschedule: ReschedulePolicy(attempts: 0, interval: .zero, delay: .zero, delayFunction: .constant, maxDelay: .zero, unlimited: true))
        return JobSpec(id: id, type: .service, groups: [group])
    }

    static func allocation(of jobID: String, on manager: ManagerServer) async throws -> Allocation {
        var index: UInt64 = 0
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(120) {
            let state = await manager.snapshot(afterChangeOf: [.allocations], since: index, wait: .milliseconds(200))
            if let allocation = state.allocations(jobID: jobID).first { return allocation }
            index = state.latestIndex
        }
        Issue.record("no allocation of \(jobID) was placed")
        throw CancellationError()
    }
}
