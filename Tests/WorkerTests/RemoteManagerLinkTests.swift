import ClusterModel
import ClusterRPC
import ClusterSecurity
import Foundation
import Glibc
@testable import Manager
import Platform
import Sodium
import StateStore
import Supervisor
import Synchronization
import Testing

@testable import Worker

/// The worker's RPC link against a real manager behind a real encrypted listener, including
/// the manager going away and a fresh listener coming back on the same port.
@Suite struct RemoteManagerLinkTests {
    static let clock: @Sendable () -> Timestamp = {
        Timestamp(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1_000_000_000))
    }
    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    /// A manager (heartbeat TTL long enough that an outage in a test never marks the node
    /// down), its identity, and its RPC listener, which can be stopped and started again on
    /// the same port.
    final class ManagerSide: @unchecked Sendable {
        // @unchecked: `listener` is only replaced by the test's own task, between awaits.
        let authority = ClusterAuthority.create()
        let manager = ManagerServer(settings: ManagerSettings(heartbeatTTL: .seconds(600)), clock: RemoteManagerLinkTests.clock)
        let identity: NodeIdentity
        var listener: RPCListener?
        private(set) var port = 0

        init() async throws {
            let keys = Ed25519KeyPair.generate()
            identity = NodeIdentity(
                keyPair: keys,
                certificate: authority.issue(
                    serial: 1, nodeID: "0000000000000001", nodeName: "manager-1", role: .manager, publicKey: keys.publicKey,
                    now: RemoteManagerLinkTests.now, validity: 3_600))
            await manager.start()
            try startListening()
        }

        /// Long polls the service has started answering.
        let pollsStarted = Counter()

        func startListening() throws {
            let service = WorkerRPCService(manager: manager)
            let identity = identity
            let policy = authority.policy()
            let polls = pollsStarted
            listener = try RPCListener(
                port: port, identity: { identity }, policy: { policy }, now: { RemoteManagerLinkTests.now },
                onChannel: { channel in
                    await channel.serve { method, body in
                        if method == WorkerRPC.Method.allocations.rawValue { polls.increment() }
                        return await service.handle(method: method, body: body, certificate: channel.peer)
                    }
                })
            port = listener?.port ?? 0
        }

        func stopListening() async {
            await listener?.shutdown()
            listener = nil
        }

        /// Another listener in front of the same manager, as a second manager would be.
        func secondListener(named name: String) throws -> RPCListener {
            let keys = Ed25519KeyPair.generate()
            let identity = NodeIdentity(
                keyPair: keys,
                certificate: authority.issue(
                    serial: 3, nodeID: "0000000000000002", nodeName: name, role: .manager, publicKey: keys.publicKey,
                    now: RemoteManagerLinkTests.now, validity: 3_600))
            let service = WorkerRPCService(manager: manager)
            let policy = authority.policy()
            return try RPCListener(
                identity: { identity }, policy: { policy }, now: { RemoteManagerLinkTests.now },
                onChannel: { await service.serveWorkerChannel($0) })
        }

        func workerIdentity() -> NodeIdentity {
            let keys = Ed25519KeyPair.generate()
            return NodeIdentity(
                keyPair: keys,
                certificate: authority.issue(
                    serial: 2, nodeID: UUID().uuidString.lowercased(), nodeName: "worker-1", role: .worker, publicKey: keys.publicKey,
                    now: RemoteManagerLinkTests.now, validity: 3_600))
        }

        func link(for identity: NodeIdentity, alsoAt others: [Int] = []) -> RemoteManagerLink {
            RemoteManagerLink(
                identity: identity, managerPolicy: authority.policy(),
                addresses: ([port] + others).map { RemoteManagerLink.Address(host: "127.0.0.1", port: $0) },
                settings: RemoteManagerLinkSettings(initialBackoff: .milliseconds(20), maximumBackoff: .milliseconds(200)),
                now: { RemoteManagerLinkTests.now })
        }

        func tearDown() async {
            await stopListening()
            await manager.shutDown()
        }

        /// Waits until the manager's state satisfies `condition`.
        func state(_ what: String, _ condition: (StateStore) -> Bool) async throws -> StateStore {
            var index: UInt64 = 0
            let start = ContinuousClock.now
            while ContinuousClock.now - start < .seconds(120) {
                let state = await manager.snapshot(afterChangeOf: Set(StateTable.allCases), since: index, wait: .milliseconds(200))
                if condition(state) { return state }
                index = state.latestIndex
            }
            Issue.record("timed out waiting for: \(what)")
            throw CancellationError()
        }
    }

    static func job(_ id: String, type: JobType, command: String, args: [String]) -> JobSpec {
        var task = TaskSpec(name: "t", driver: "raw_exec", config: ["command": .string(command), "args": .list(args.map { .string($0) })])
        task.resources = Resources(cpuMHz: 100, memoryMiB: 64)
        let group = GroupSpec(
            name: "g", count: 1, tasks: [task], restart: RestartPolicy(attempts: 0, interval: .seconds(60), delay: .seconds(1), mode: .fail),
            reschedule: nil)
        return JobSpec(id: id, type: type, groups: [group])
    }

    static func node(for identity: NodeIdentity) -> Node {
        NodeFingerprinter.node(id: NodeID(uuid: identity.certificate.certificate.nodeID), name: "worker-1", fingerprint: Fingerprint.probe())
    }

    /// Registers the node, runs a one-instance service, and long-polls until the node's
    /// allocation arrives.
    static func registerAndPollTheFirstAllocation(
        _ node: Node, link: RemoteManagerLink, side: ManagerSide
    ) async throws -> (allocations: [Allocation], index: UInt64) {
        try await link.registerNode(node)
        _ = try await side.manager.register(job("web", type: .service, command: "/bin/sleep", args: ["600"]))
        var polled = try await link.allocations(forNode: node.id, since: 0, wait: .zero)
        while polled.allocations.isEmpty {
            polled = try await link.allocations(forNode: node.id, since: polled.index, wait: .seconds(30))
        }
        return polled
    }

    @Test func reportsQueuedWhileTheManagerIsAwayAreDeliveredWhenItReturnsOnTheSamePort() async throws {
        let side = try await ManagerSide()
        let identity = side.workerIdentity()
        let link = side.link(for: identity)
        let node = Self.node(for: identity)
        let polled = try await Self.registerAndPollTheFirstAllocation(node, link: link, side: side)
        let allocation = try #require(polled.allocations.first)
        #expect(await link.connectedManager == "manager-1")

        await side.stopListening()
        let running = ClientAllocationUpdate(id: allocation.id, clientStatus: .running, clientDescription: "started while away")
        await #expect(throws: RPCError.self) { try await link.updateAllocations([running]) }
        #expect(await link.queuedReportCount == 1)

        try side.startListening()
        // No further call from the worker: the link redelivers on its own once it reconnects.
        let state = try await side.state("the queued report applied") { $0.allocation(id: allocation.id)?.clientStatus == .running }
        #expect(state.allocation(id: allocation.id)?.clientDescription == "started while away")
        try await WorkerAgentTests.waitFor("the queue drained") { await link.queuedReportCount == 0 }
        // And the reconnected link carries ordinary calls again.
        #expect(try await link.heartbeat(node.id) == .seconds(600))
        await link.close()
        await side.tearDown()
    }

    @Test func whenItsManagerGoesAwayTheLinkFailsOverToTheNextAddress() async throws {
        let side = try await ManagerSide()
        let second = try side.secondListener(named: "manager-2")
        let identity = side.workerIdentity()
        let link = side.link(for: identity, alsoAt: [second.port])
        let node = Self.node(for: identity)
        try await link.registerNode(node)
        #expect(await link.connectedManager == "manager-1")

        await side.stopListening()
        // The call that finds the channel broken fails; the next one reaches the other manager.
        _ = try? await link.heartbeat(node.id)
        #expect(try await link.heartbeat(node.id) == .seconds(600))
        #expect(await link.connectedManager == "manager-2")
        await link.close()
        await second.shutdown()
        await side.tearDown()
    }

    @Test func aManagerThatGoesAwayMidPollReleasesThePollPromptly() async throws {
        let side = try await ManagerSide()
        let identity = side.workerIdentity()
        let link = side.link(for: identity)
        let node = Self.node(for: identity)
        // An allocation, so the node's allocation index is past zero and a poll waits.
        let first = try await Self.registerAndPollTheFirstAllocation(node, link: link, side: side)
        // A long poll that nothing will answer, then the listener stops: its shutdown must not
        // wait out the poll's full minute.
        let pollsBefore = side.pollsStarted.value
        async let polled = link.allocations(forNode: node.id, since: first.index, wait: .seconds(60))
        try await WorkerAgentTests.waitFor("the poll reached the manager") { side.pollsStarted.value > pollsBefore }
        let started = ContinuousClock.now
        await side.stopListening()
        #expect(ContinuousClock.now - started < .seconds(30))
        do {
            _ = try await polled
            Issue.record("a poll to a manager that went away succeeded")
        } catch {
            #expect((error as? RPCError)?.code == .connectionLost, "\(error)")
        }
        await link.close()
        await side.tearDown()
    }

    @Test func aNewerReportOfTheSameAllocationReplacesTheQueuedOlderOne() async throws {
        let side = try await ManagerSide()
        let identity = side.workerIdentity()
        let link = side.link(for: identity)
        try await link.registerNode(Self.node(for: identity))
        await side.stopListening()
        let id = AllocationID(uuid: UUID().uuidString.lowercased())
        _ = try? await link.updateAllocations([ClientAllocationUpdate(id: id, clientStatus: .pending)])
        _ = try? await link.updateAllocations([ClientAllocationUpdate(id: id, clientStatus: .running)])
        #expect(await link.queuedReportCount == 1)
        await link.close()
        await side.tearDown()
    }

    @Test func aLinkToNoReachableManagerFailsWithAnErrorNamingTheAddresses() async throws {
        let side = try await ManagerSide()
        let link = side.link(for: side.workerIdentity())
        await side.stopListening()
        do {
            _ = try await link.heartbeat(NodeID(uuid: "x"))
            Issue.record("a heartbeat with no manager succeeded")
        } catch let error as RPCError {
            #expect(error.code == .connectionLost)
            #expect(error.message.contains("127.0.0.1:\(side.port)"), "\(error)")
        }
        await link.close()
        await side.tearDown()
    }

    @Test func theWorkerKeepsItsTasksRunningWhileNoManagerIsReachableAndReportsWhenOneReturns() async throws {
        let side = try await ManagerSide()
        let identity = side.workerIdentity()
        let link = side.link(for: identity)
        let node = Self.node(for: identity)
        let directory = FileManager.default.temporaryDirectory.path + "/roost-remote-worker-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let supervisor = try Supervisor(settings: SupervisorSettings(dataDirectory: directory, node: node, usesCgroups: false))
        let worker = WorkerAgent(node: node, supervisor: supervisor, link: link)
        await worker.start()

        // A batch task that runs until the test lets it finish.
        let script = "echo $$ > ${NOMAD_ALLOC_DIR}/pid; while [ ! -f ${NOMAD_ALLOC_DIR}/go ]; do sleep 0.05; done"
        _ = try await side.manager.register(Self.job("batch", type: .batch, command: "/bin/sh", args: ["-c", script]))
        let placed = try await side.state("the task runs") { state in
            state.allocations(jobID: "batch").contains { $0.clientStatus == .running }
        }
        let allocation = try #require(placed.allocations(jobID: "batch").first)
        let allocationDirectory = "\(directory)/alloc/\(allocation.id.uuid)/alloc"
        var pid: Int32?
        try await WorkerAgentTests.waitFor("the task wrote its pid") {
            pid = (try? String(contentsOfFile: "\(allocationDirectory)/pid", encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return pid != nil
        }
        let taskPID = try #require(pid)

        // Every manager goes away; the worker's calls fail for a while.
        await side.stopListening()
        try await WorkerAgentTests.waitFor("the link noticed") { await link.connectedManager == nil }
        try await WorkerAgentTests.waitFor("several dial rounds failed") { await link.failedDialRounds >= 3 }
        #expect(kill(taskPID, 0) == 0, "the task still runs while no manager is reachable")

        // The task finishes during the outage: its report must survive until a manager returns.
        #expect(FileManager.default.createFile(atPath: "\(allocationDirectory)/go", contents: nil))
        try await WorkerAgentTests.waitFor("the report queued") { await link.queuedReportCount >= 1 }

        try side.startListening()
        _ = try await side.state("the completion reported after the outage") { state in
            state.allocation(id: allocation.id)?.clientStatus == .complete
        }
        #expect(await side.manager.snapshot().node(id: node.id)?.status == .ready)
        await worker.shutDown()
        await link.close()
        await side.tearDown()
    }
}

/// A count shared between a test and the handlers it instruments.
final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}
