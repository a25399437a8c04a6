import ClusterModel
import Foundation
@testable import Manager
import StateStore
import Testing

/// The Raft log's binary form of plans: every manager must read back exactly the plan the
/// leader wrote, or the replicas' states drift apart.
@Suite struct PlanEntryCodecTests {
    @Test(arguments: 1...40)
    func aRandomPlanReadsBackExactlyAsItWasWritten(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let plan = Self.randomPlan(&random)
        let time = Timestamp(nanosecondsSinceEpoch: Int64.random(in: -1_000_000...Int64.max / 2, using: &random))
        for command in [StateCommand.submitPlan(plan, time: time), .applyPlan(plan, time: time)] {
            let bytes = try ManagerStateMachine.encode(.state(command), binaryPlans: true)
            #expect(PlanEntryCodec.isBinaryPlan(bytes))
            // Compared as a Bool: the expanded values of two random plans would bury the seed.
            let readsBackEqual = try ManagerStateMachine.decode(bytes) == .state(command)
            #expect(readsBackEqual, "seed \(seed): the plan read back differs from the one written")
        }
    }

    /// The binary form covers these fields one by one; a field added to either type must be
    /// added to `PlanEntryCodec` (and to `randomPlan` here), or it would be lost in the log.
    @Test func theFieldsWrittenOneByOneAreAllTheFieldsThereAre() {
        #expect(Mirror(reflecting: AllocationMetrics()).children.count == 8)
        #expect(Mirror(reflecting: AllocatedPort(label: "http", value: 1)).children.count == 4)
    }

    @Test func aPlanOfThousandsOfAllocationsIsAFewBytesPerAllocationBeyondItsIDs() throws {
        var random = SeededRandom(seed: 7)
        var plan = Self.randomPlan(&random, allocations: 0)
        let job = JobSpec(id: "web", type: .service, namespace: "default")
        for index in 0..<5_000 {
            let node = NodeID(uuid: "node-\(index % 500)")
            var allocation = Allocation(
                id: .random(using: &random), evaluationID: plan.evaluationID, nodeID: node, nodeName: "n\(index % 500)",
                job: job, jobVersion: 3, groupName: "web", index: index,
                taskResources: ["server": Resources(cpuMHz: 100, memoryMiB: 64)],
                metrics: AllocationMetrics(nodesEvaluated: 5_000, nodesAvailable: ["dc1": 5_000], chosenScore: Double(index) / 7))
            allocation.createTime = Timestamp(nanosecondsSinceEpoch: 42)
            plan.placements[node, default: []].append(allocation)
        }
        let bytes = try ManagerStateMachine.encode(.state(.submitPlan(plan, time: .zero)), binaryPlans: true)
        let json = try JSONEncoder().encode(ReplicatedCommand.state(.submitPlan(plan, time: .zero)))
        #expect(bytes.count < 5_000 * 80, "binary \(bytes.count) bytes")
        #expect(bytes.count * 5 < json.count, "binary \(bytes.count) bytes, JSON \(json.count)")
        #expect(try ManagerStateMachine.decode(bytes) == .state(.submitPlan(plan, time: .zero)))
    }

    /// Logs and snapshots written before the binary form hold JSON plan commands; they replay.
    @Test func aPlanEntryWrittenAsJSONStillReads() throws {
        var random = SeededRandom(seed: 3)
        let command = ReplicatedCommand.state(.submitPlan(Self.randomPlan(&random), time: Timestamp(nanosecondsSinceEpoch: 9)))
        let json = Array(try JSONEncoder().encode(command))
        #expect(!PlanEntryCodec.isBinaryPlan(json))
        #expect(try ManagerStateMachine.decode(json) == command)
    }

    @Test func otherCommandsStayJSON() throws {
        let command = ReplicatedCommand.state(.garbageCollect(evaluations: [], allocations: []))
        let bytes = try ManagerStateMachine.encode(command, binaryPlans: true)
        #expect(bytes.first == UInt8(ascii: "{"))
        #expect(try ManagerStateMachine.decode(bytes) == command)
    }

    /// A damaged entry is refused with an error, never a crash, and the state machine answers
    /// it as a refused command.
    @Test func aTruncatedOrCorruptedEntryIsRefusedNotTrusted() throws {
        var random = SeededRandom(seed: 11)
        let bytes = try ManagerStateMachine.encode(.state(.submitPlan(Self.randomPlan(&random), time: .zero)), binaryPlans: true)
        for cut in stride(from: 1, to: bytes.count, by: max(1, bytes.count / 97)) {
            #expect(throws: (any Error).self) { try ManagerStateMachine.decode(Array(bytes.prefix(cut))) }
        }
        var newer = bytes
        newer[1] = PlanEntryCodec.version &+ 1
        #expect(throws: (any Error).self) { try ManagerStateMachine.decode(newer) }
        var flipped = bytes
        for position in stride(from: 2, to: flipped.count, by: 13) { flipped[position] ^= 0x5A }
        _ = try? ManagerStateMachine.decode(flipped)
        let machine = ManagerStateMachine()
        let answer = try ManagerStateMachine.decodeResult(machine.apply(Array(bytes.prefix(bytes.count / 2)), at: 1))
        #expect((try? answer.get()) == nil, "a damaged entry must be refused")
    }

    // MARK: Random plans

    static func randomPlan(_ random: inout SeededRandom, allocations: Int? = nil) -> Plan {
        let jobs = (0..<Int.random(in: 1...3, using: &random)).map { number in
            randomJob(&random, number: number)
        }
        let evaluation = Evaluation(
            id: .random(using: &random), namespace: jobs[0].namespace, priority: Int.random(in: 1...100, using: &random),
            jobType: jobs[0].type, triggeredBy: .jobRegister, jobID: jobs[0].id, status: .complete,
            queuedAllocations: ["web": Int.random(in: 0...9, using: &random)])
        var plan = Plan(
            evaluationID: evaluation.id, jobID: jobs[0].id, namespace: jobs[0].namespace, priority: evaluation.priority,
            evaluation: evaluation,
            followupEvaluations: random.next() % 2 == 0 ? [] : [
                Evaluation(id: .random(using: &random), jobType: .batch, triggeredBy: .jobRegister, jobID: jobs[0].id, status: .blocked)
            ])
        if random.next() % 3 == 0 {
            plan.deployments = [Deployment(id: .random(using: &random), namespace: jobs[0].namespace, jobID: jobs[0].id, jobVersion: 2)]
        }
        let nodes = (0..<Int.random(in: 1...12, using: &random)).map { _ in NodeID.random(using: &random) }
        let count = allocations ?? Int.random(in: 0...60, using: &random)
        for _ in 0..<count {
            let node = nodes[Int.random(in: 0..<nodes.count, using: &random)]
            let allocation = randomAllocation(&random, job: jobs[Int.random(in: 0..<jobs.count, using: &random)], node: node, on: nodes)
            if random.next() % 4 == 0 {
                plan.stops[node, default: []].append(allocation)
            } else {
                plan.placements[node, default: []].append(allocation)
            }
        }
        if random.next() % 5 == 0 { plan.placements[nodes[0], default: []] += [] }
        return plan
    }

    static func randomJob(_ random: inout SeededRandom, number: Int) -> JobSpec {
        let types: [JobType] = [.service, .batch, .system, .sysbatch]
        let namespace = random.next() % 2 == 0 ? "default" : "team-\(random.next() % 9)"
        if random.next() % 2 == 0 {
            return JobSpec(id: "job-\(number)", type: types[Int(random.next() % 4)], namespace: namespace)
        }
        return JobSpec(
            id: "job-\(number)", type: types[Int(random.next() % 4)], priority: Int.random(in: 1...100, using: &random),
            namespace: namespace, meta: ["owner": "ops-\(random.next() % 100)"],
            groups: [
                GroupSpec(
                    name: "web", count: Int.random(in: 1...9, using: &random),
                    tasks: [TaskSpec(name: "server", driver: "oci", resources: Resources(cpuMHz: 250, memoryMiB: 128))],
                    restart: .defaults(for: .service), reschedule: nil)
            ])
    }

    static func randomAllocation(_ random: inout SeededRandom, job: JobSpec, node: NodeID, on nodes: [NodeID]) -> Allocation {
        let statuses: [DesiredStatus] = DesiredStatus.allCases
        let clientStatuses: [ClientStatus] = ClientStatus.allCases
        let index = Int.random(in: 0...20_000, using: &random)
        let group = random.next() % 4 == 0 ? "worker" : "web"
        func counts(_ random: inout SeededRandom, keys: [String]) -> [String: Int] {
            var result: [String: Int] = [:]
            for key in keys where random.next() % 2 == 0 { result[key] = Int.random(in: -3...100_000, using: &random) }
            return result
        }
        var allocation = Allocation(
            id: .random(using: &random), evaluationID: .random(using: &random),
            // Now and then an allocation listed under another node than its own.
            nodeID: random.next() % 10 == 0 ? nodes[Int.random(in: 0..<nodes.count, using: &random)] : node,
            nodeName: "node-\(random.next() % 50)", job: job, jobVersion: random.next() % 7, groupName: group, index: index,
            taskResources: random.next() % 2 == 0 ? [:] : ["server": Resources(cpuMHz: Int.random(in: 1...4_000, using: &random), memoryMiB: 64)],
            ports: (0..<Int(random.next() % 3)).map { number in
                AllocatedPort(label: "p\(number)", value: Int.random(in: 20_000...32_000, using: &random), to: number * 80, hostIP: random.next() % 2 == 0 ? "127.0.0.1" : "10.0.0.\(number)")
            },
            desiredStatus: statuses[Int(random.next() % UInt64(statuses.count))],
            desiredDescription: random.next() % 2 == 0 ? "" : "stopped by plan \(random.next() % 99)",
            clientStatus: clientStatuses[Int(random.next() % UInt64(clientStatuses.count))],
            clientDescription: random.next() % 3 == 0 ? "exit 1" : "",
            taskStates: random.next() % 3 == 0 ? ["server": TaskState(state: .running, restarts: Int(random.next() % 4))] : [:],
            previousAllocation: random.next() % 2 == 0 ? nil : AllocationID.random(using: &random),
            nextAllocation: random.next() % 2 == 0 ? nil : AllocationID.random(using: &random),
            rescheduleTracker: random.next() % 4 == 0
                ? RescheduleTracker(events: [RescheduleEvent(time: Timestamp(nanosecondsSinceEpoch: 5), previousAllocation: .random(using: &random), delay: .seconds(30))])
                : RescheduleTracker(),
            followupEvaluationID: random.next() % 2 == 0 ? nil : EvaluationID.random(using: &random),
            metrics: AllocationMetrics(
                nodesEvaluated: Int.random(in: 0...5_000, using: &random), nodesFiltered: Int.random(in: 0...50, using: &random),
                nodesAvailable: counts(&random, keys: ["dc1", "dc2", "dc3"]),
                constraintFiltered: counts(&random, keys: ["constraint ${attr.cpu.arch} = amd64", "missing driver \"oci\""]),
                nodesExhausted: Int.random(in: 0...5_000, using: &random), dimensionExhausted: counts(&random, keys: ["cpu", "memory", "ports"]),
                chosenScore: random.next() % 5 == 0 ? nil : Double(bitPattern: random.next() >> 2), coalescedFailures: Int(random.next() % 3)),
            createIndex: random.next() % 3 == 0 ? 0 : random.next() >> 1, modifyIndex: random.next() >> 1,
            createTime: Timestamp(nanosecondsSinceEpoch: Int64(bitPattern: random.next())),
            modifyTime: Timestamp(nanosecondsSinceEpoch: Int64(bitPattern: random.next())))
        if random.next() % 6 == 0 { allocation.name = "renamed-\(random.next() % 1_000)" }
        if random.next() % 3 == 0 { allocation.deploymentID = .random(using: &random) }
        if random.next() % 3 == 0 {
            allocation.deploymentStatus = AllocationDeploymentStatus(
                healthy: random.next() % 2 == 0, timestamp: Timestamp(nanosecondsSinceEpoch: 77), canary: random.next() % 2 == 0, description: "ok")
        }
        return allocation
    }
}

/// SplitMix64: the same plan for the same seed, so a failure names its seed and replays.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
