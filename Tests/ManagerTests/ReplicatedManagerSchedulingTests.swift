import ClusterModel
import ClusterSecurity
import Foundation
import HTTP
@testable import Manager
import Raft
import RaftRuntime
import Sodium
import Testing

/// A manager on Raft (a one-member group), as `roost agent -server` runs it, with its data in a
/// temporary directory removed by `stop`.
struct ReplicatedManagerFixture {
    let manager: ManagerServer
    let directory: String

    static func start() async throws -> ReplicatedManagerFixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("roost-replicated-\(UInt32.random(in: 0...UInt32.max))").path
        let id = RaftNodeID(7)
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        let settings = RaftShellSettings(raft: RaftSettings(id: id, seed: 1), dataDirectory: directory, bootstrapVoters: [id])
        try await manager.startReplicated(
            raft: settings, identity: ServerEntry(id: id, name: "m1", raftAddress: "127.0.0.1:1", httpAddress: "http://127.0.0.1:1", logFormat: ServerEntry.currentLogFormat),
            forwarder: HTTPLeaderForwarder())
        await manager.start()
        return ReplicatedManagerFixture(manager: manager, directory: directory)
    }

    /// The first leader creates the cluster identity moments after it is elected.
    func waitForTheClusterIdentity() async throws {
        let start = ContinuousClock.now
        while await manager.clusterIdentity == nil, ContinuousClock.now - start < .seconds(30) { try await Task.sleep(for: .milliseconds(50)) }
    }

    func stop() async {
        await manager.shutDown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A manager running on Raft schedules like the dev agent's: a registered job is placed on a
/// registered node.
@Suite struct ReplicatedManagerSchedulingTests {
    @Test func aJobRegisteredWithAReplicatedManagerIsPlaced() async throws {
        let fixture = try await ReplicatedManagerFixture.start()
        let manager = fixture.manager
        try await manager.registerNode(ManagerServerTests.node("w1"))
        _ = try await manager.register(ManagerServerTests.job("web", count: 2))
        let placed = try await ManagerServerTests.state(of: manager, "placed", timeout: .seconds(60)) { $0.allocations(jobID: "web").count == 2 }
        #expect(placed.allocations(jobID: "web").allSatisfy { $0.desiredStatus == .run })
        await fixture.stop()
    }
}

/// `roost node rm`: the node's certificates go on the deny-list and its work moves.
@Suite struct NodeRemovalTests {
    @Test func removingANodeRevokesItsCertificatesAndReplacesItsAllocations() async throws {
        let fixture = try await ReplicatedManagerFixture.start()
        let manager = fixture.manager
        try await fixture.waitForTheClusterIdentity()
        let (certificate, _) = try await manager.certify(
            JoinRequest(role: .worker, nodeName: "w1", publicKey: Ed25519KeyPair.generate().publicKey), validity: 3_600)
        var doomed = ManagerServerTests.node("w1")
        doomed = Node(id: NodeID(uuid: certificate.certificate.nodeID), name: "w1", resources: doomed.resources, drivers: doomed.drivers)
        try await manager.registerNode(doomed)
        let spare = ManagerServerTests.node("w2")
        try await manager.registerNode(spare)
        _ = try await manager.setEligibility(spare.id, eligible: false)
        _ = try await manager.register(ManagerServerTests.job("web", count: 1))
        _ = try await ManagerServerTests.state(of: manager, "placed") { $0.allocations(jobID: "web").contains { $0.nodeID == doomed.id } }
        _ = try await manager.setEligibility(spare.id, eligible: true)

        // A ready node is not removed by mistake.
        do {
            _ = try await manager.removeNode(doomed.id, force: false)
            Issue.record("a ready node was removed without -force")
        } catch {
            #expect(error.description.contains("is ready") && error.description.contains("-force"))
        }
        let removal = try await manager.removeNode(doomed.id, force: true)
        #expect(removal.revokedSerials == [certificate.certificate.serial])
        let identity = try #require(await manager.clusterIdentity)
        #expect(identity.policy.problem(with: certificate, now: Int64(Date().timeIntervalSince1970)) == .revoked(serial: certificate.certificate.serial, nodeName: "w1"))
        let moved = try await ManagerServerTests.state(of: manager, "replaced") { state in
            state.node(id: doomed.id) == nil && state.allocations(jobID: "web").contains { $0.nodeID == spare.id && $0.desiredStatus == .run }
        }
        #expect(moved.allNodes().map(\.name) == ["w2"])
        await fixture.stop()
    }
}

/// `/v1/internal/*` answers only callers presenting the managers' internal credential.
@Suite struct InternalRouteTests {
    @Test func aForwardedWriteWithoutTheManagersCredentialIsRefusedAndChangesNothing() async throws {
        let fixture = try await ReplicatedManagerFixture.start()
        let manager = fixture.manager
        try await fixture.waitForTheClusterIdentity()
        var router = HTTPRouter()
        ManagerAPI(manager: manager, agentInfo: [:]).register(in: &router)
        let command = ReplicatedCommand.state(.registerJob(ManagerServerTests.job("sneaky"), evaluation: nil, submitTime: ManagerServerTests.clock()))
        let body = try ManagerStateMachine.encode(command, binaryPlans: false)
        let forged = await router.route(HTTPRequest(method: .post, target: "/v1/internal/apply", body: body))
        #expect(forged.status == .unauthorized)
        #expect(await manager.snapshot().job(id: "sneaky") == nil)
        var wrong = HTTPHeaders()
        wrong.set(InternalCredential.header, String(repeating: "0", count: 64))
        #expect(await router.route(HTTPRequest(method: .post, target: "/v1/internal/heartbeat", headers: wrong, body: Array("{\"NodeID\":\"x\"}".utf8))).status == .unauthorized)
        var right = HTTPHeaders()
        right.set(InternalCredential.header, try #require(await manager.internalCredential))
        let accepted = await router.route(HTTPRequest(method: .post, target: "/v1/internal/apply", headers: right, body: body))
        #expect(accepted.status == .ok)
        #expect(await manager.snapshot().job(id: "sneaky") != nil)
        await fixture.stop()
    }
}

/// Certificates are renewed before they expire: same node, name, role and key, a new serial.
@Suite struct CertificateRenewalTests {
    @Test func aNodeGetsAFreshCertificateForItsKeyUntilItIsRevoked() async throws {
        let fixture = try await ReplicatedManagerFixture.start()
        let manager = fixture.manager
        try await fixture.waitForTheClusterIdentity()
        let key = Ed25519KeyPair.generate()
        let (short, _) = try await manager.certify(JoinRequest(role: .worker, nodeName: "w1", publicKey: key.publicKey), validity: 60)
        let renewed = try await manager.renewCertificate(short, validity: 3_600)
        #expect(renewed.certificate.nodeID == short.certificate.nodeID && renewed.certificate.publicKey == key.publicKey)
        #expect(renewed.certificate.role == .worker && renewed.certificate.nodeName == "w1")
        #expect(renewed.certificate.serial > short.certificate.serial)
        #expect(renewed.certificate.notAfter > short.certificate.notAfter)
        let identity = try #require(await manager.clusterIdentity)
        #expect(identity.policy.problem(with: renewed, now: Int64(Date().timeIntervalSince1970)) == nil)

        _ = try await manager.replicate(.clusterIdentity(.revokeCertificate(serial: renewed.certificate.serial, notAfter: renewed.certificate.notAfter, now: 0)))
        do {
            _ = try await manager.renewCertificate(renewed)
            Issue.record("a revoked certificate was renewed")
        } catch {
            #expect(error.description.contains("revoked"))
        }
        await fixture.stop()
    }
}
