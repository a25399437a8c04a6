import ClusterModel
import Foundation
import Manager
import Raft
import RaftRuntime
import Scheduler
import StateStore

// The scheduler benchmark (issue 8, "C1M"): a simulated cluster of NODES nodes and jobs
// totalling ALLOCATIONS allocations, placed through the full evaluation -> plan -> plan-apply
// path, and the bin-packing reached.
//
//   SchedulerBench --mode store|manager|raft [--nodes 5000] [--allocations 1000000] [--per-job 10000]
//
// store:   the scheduler and the plan applier on one StateStore, one evaluation at a time, no
//          manager (what a profile of the pure hot path looks at);
// manager: one ManagerServer without Raft (the dev agent's path: broker, scheduler workers,
//          plan applier);
// raft:    three ManagerServers on Raft over loopback in this process; jobs are registered
//          with the leader, and the time counts until every placement is committed there and
//          applied on both followers.
// Prints a human summary and one JSON line (prefixed `result `).

struct Options {
    var mode = "manager"
    var nodes = 5_000
    var allocations = 1_000_000
    var perJob = 10_000
    var timeout = 900.0
    /// `SchedulerSettings.candidateLimit`, store mode only (the managers use the default).
    var candidates = SchedulerSettings().candidateLimit
    /// Store mode: JSON-encode each plan as the Raft log would, and say how big and how slow.
    var measureEncoding = false
    /// `ManagerSettings.schedulerWorkers` for the managers.
    var workers = ManagerSettings().schedulerWorkers
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    while let argument = arguments.next() {
        if argument == "--measure-encoding" {
            options.measureEncoding = true
            continue
        }
        let value = arguments.next() ?? ""
        switch argument {
        case "--mode": options.mode = value
        case "--nodes": options.nodes = Int(value) ?? options.nodes
        case "--allocations": options.allocations = Int(value) ?? options.allocations
        case "--per-job": options.perJob = Int(value) ?? options.perJob
        case "--timeout": options.timeout = Double(value) ?? options.timeout
        case "--candidates": options.candidates = Int(value) ?? options.candidates
        case "--workers": options.workers = Int(value) ?? options.workers
        default:
            FileHandle.standardError.write(Data("SchedulerBench: unknown argument \(argument) (see the comment at the top of main.swift)\n".utf8))
            exit(64)
        }
    }
    return options
}

func wallClock() -> Timestamp { Timestamp(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1e9)) }

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func log(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Live allocations on the state's nodes, from the per-node tallies (no scan of allocations).
func placedCount(_ store: StateStore, nodes: [Node]) -> Int {
    nodes.reduce(0) { $0 + store.usage(onNode: $1.id).allocationCount }
}

/// How full the nodes that hold work are, against a perfect packing of the same requests.
func packing(_ store: StateStore, nodes: [Node]) -> [String: Double] {
    var usedNodes = 0
    var cpuUsed = 0
    var memoryUsed = 0
    var cpuCapacity = 0
    var memoryCapacity = 0
    for node in nodes {
        let usage = store.usage(onNode: node.id)
        guard usage.allocationCount > 0 else { continue }
        usedNodes += 1
        cpuUsed += usage.cpuMHz
        memoryUsed += usage.memoryMiB
        cpuCapacity += node.resources.cpuMHz
        memoryCapacity += node.resources.memoryMiB
    }
    let clusterCPU = nodes.reduce(0) { $0 + $1.resources.cpuMHz }
    let clusterMemory = nodes.reduce(0) { $0 + $1.resources.memoryMiB }
    return [
        "nodes_used": Double(usedNodes),
        "cpu_utilisation_of_used_nodes": Double(cpuUsed) / Double(max(1, cpuCapacity)),
        "memory_utilisation_of_used_nodes": Double(memoryUsed) / Double(max(1, memoryCapacity)),
        "cpu_requested_over_cluster": Double(cpuUsed) / Double(max(1, clusterCPU)),
        "memory_requested_over_cluster": Double(memoryUsed) / Double(max(1, clusterMemory)),
    ]
}

/// The scheduler and the plan applier alone on one store: evaluations in order, each plan
/// validated and applied as the leader's plan applier would.
func runStore(nodes: [Node], jobs: [JobSpec], candidates: Int, measureEncoding: Bool) -> (Double, StateStore, Int) {
    var store = StateStore()
    var index: UInt64 = 0
    var random = BenchRandom(state: UInt64.random(in: 0...UInt64.max))
    let now = wallClock()
    for node in nodes {
        index += 1
        store.apply(.upsertNode(node, evaluations: [], time: now), index: index)
    }
    var pending: [Evaluation] = []
    for job in jobs {
        let evaluation = Evaluation(id: .random(using: &random), jobType: job.type, triggeredBy: .jobRegister, jobID: job.id)
        index += 1
        store.apply(.registerJob(job, evaluation: evaluation, submitTime: now), index: index)
        pending.append(evaluation)
    }
    let scheduler = Scheduler(settings: SchedulerSettings(candidateLimit: candidates))
    let start = ContinuousClock.now
    var plans = 0
    while !pending.isEmpty {
        let evaluation = pending.removeFirst()
        let plan = scheduler.process(evaluation, state: store, now: wallClock(), random: &random)
        if measureEncoding {
            let encodeStart = ContinuousClock.now
            let bytes = (try? JSONEncoder().encode(StateCommand.submitPlan(StateStore.compactingJobs(of: plan), time: wallClock())).count) ?? 0
            log("   plan of \(plan.placements.values.reduce(0) { $0 + $1.count }) placements: \(bytes) bytes of JSON, encoded in \(String(format: "%.2f", seconds(since: encodeStart))) s")
        }
        index += 1
        plans += 1
        let result = store.apply(.submitPlan(plan, time: wallClock()), index: index)
        if case .success(let outcome) = result, !outcome.rejectedNodes.isEmpty { pending.append(evaluation) }
        pending.append(contentsOf: plan.followupEvaluations.filter { $0.status == .pending && $0.waitUntil == nil })
    }
    return (seconds(since: start), store, plans)
}

/// SplitMix64, so the store mode's IDs cost no system call.
struct BenchRandom: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

func managerSettings(workers: Int) -> ManagerSettings {
    ManagerSettings(heartbeatTTL: .seconds(3_600), schedulerWorkers: workers, gossipFailureGrace: .seconds(3_600))
}

/// Registers the nodes and jobs with `entry` and waits until `target` allocations are placed on
/// every manager in `watched`.
func drive(
    entry: ManagerServer, watched: [ManagerServer], nodes: [Node], jobs: [JobSpec], target: Int, timeout: Double
) async throws -> (seconds: Double, leaderSeconds: Double, store: StateStore) {
    let nodeStart = ContinuousClock.now
    // Registered a few at a time: the workers of a real cluster do not wait for each other.
    try await withThrowingTaskGroup(of: Void.self) { group in
        for chunk in stride(from: 0, to: nodes.count, by: 250) {
            let slice = Array(nodes[chunk..<min(nodes.count, chunk + 250)])
            group.addTask { for node in slice { try await entry.registerNode(node) } }
        }
        try await group.waitForAll()
    }
    log("   \(nodes.count) nodes registered in \(String(format: "%.1f", seconds(since: nodeStart))) s")
    let start = ContinuousClock.now
    for job in jobs { _ = try await entry.register(job) }
    log("   \(jobs.count) jobs registered in \(String(format: "%.2f", seconds(since: start))) s")
    var leaderSeconds: Double?
    var lastReport = ContinuousClock.now
    while seconds(since: start) < timeout {
        var counts: [Int] = []
        // Counted under each manager's lock: a snapshot copied out and still held while a plan
        // applies would make that apply copy the whole allocation table.
        for manager in watched { counts.append(manager.reading { placedCount($0, nodes: nodes) }) }
        if leaderSeconds == nil, counts[0] >= target { leaderSeconds = seconds(since: start) }
        if counts.allSatisfy({ $0 >= target }) {
            let elapsed = seconds(since: start)
            return (elapsed, leaderSeconds ?? elapsed, await watched[0].snapshot())
        }
        if seconds(since: lastReport) >= 5 {
            log("   \(String(format: "%6.1f", seconds(since: start))) s: placed \(counts.map(String.init).joined(separator: " / "))")
            lastReport = ContinuousClock.now
        }
        try await Task.sleep(for: .milliseconds(250))
    }
    let store = await watched[0].snapshot()
    log("   timed out after \(timeout) s with \(placedCount(store, nodes: nodes)) of \(target) placed")
    for job in jobs.prefix(3) {
        log("   \(job.id): \(store.placementFailures(jobID: job.id).mapValues { $0.summary() })")
    }
    exit(1)
}

/// Reserves free loopback ports by binding and releasing them.
func freePorts(_ count: Int) -> [Int] {
    (0..<count).map { _ in
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Hands a follower's writes to the leader's manager object directly (no HTTP).
final class DirectForwarder: LeaderForwarding, @unchecked Sendable {
    private let lock = NSLock()
    private var managers: [RaftNodeID: ManagerServer] = [:]

    func add(_ manager: ManagerServer, as id: RaftNodeID) {
        lock.withLock { managers[id] = manager }
    }

    func submit(_ command: ReplicatedCommand, to leader: ServerEntry) async throws(ForwardingFailure) -> ReplicatedResult {
        guard let manager = lock.withLock({ managers[leader.id] }) else { throw .notDelivered("manager \(leader.id) is unknown") }
        switch await manager.applyForwarded(command) {
        case .answered(let result): return result
        case .notLeader: throw .notDelivered("manager \(leader.id) does not lead")
        case .unavailable(let message): throw .outcomeUnknown(message)
        }
    }
}

func runRaft(nodes: [Node], jobs: [JobSpec], target: Int, timeout: Double, workers: Int) async throws -> (Double, Double, StateStore) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("roost-schedbench-\(UInt32.random(in: 0...UInt32.max))").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let ids = [RaftNodeID(1), RaftNodeID(2), RaftNodeID(3)]
    let ports = freePorts(3)
    var peers: [RaftNodeID: PeerAddress] = [:]
    for (index, id) in ids.enumerated() { peers[id] = PeerAddress(host: "127.0.0.1", port: ports[index]) }
    let forwarder = DirectForwarder()
    var managers: [ManagerServer] = []
    for (index, id) in ids.enumerated() {
        let manager = ManagerServer(settings: managerSettings(workers: workers), clock: wallClock)
        forwarder.add(manager, as: id)
        let settings = RaftShellSettings(
            raft: RaftSettings(id: id, seed: id.rawValue), dataDirectory: "\(directory)/\(id.rawValue)",
            listenPort: ports[index], peers: peers, bootstrapVoters: Set(ids))
        try await manager.startReplicated(
            raft: settings,
            identity: ServerEntry(
                id: id, name: "m\(id.rawValue)", raftAddress: "127.0.0.1:\(ports[index])", httpAddress: "http://127.0.0.1:1",
                logFormat: ServerEntry.currentLogFormat),
            forwarder: forwarder)
        await manager.start()
        managers.append(manager)
    }
    var leader: ManagerServer?
    let electionStart = ContinuousClock.now
    while leader == nil, seconds(since: electionStart) < 60 {
        for manager in managers where await manager.leaderLocation() == .here { leader = manager }
        try await Task.sleep(for: .milliseconds(50))
    }
    guard let leader else {
        log("no leader elected within 60 s")
        exit(1)
    }
    let followers = managers.filter { $0 !== leader }
    let result = try await drive(entry: leader, watched: [leader] + followers, nodes: nodes, jobs: jobs, target: target, timeout: timeout)
    for manager in managers { await manager.shutDown() }
    return result
}

let options = parseOptions()
let workload = BenchWorkload(nodeCount: options.nodes, allocationTotal: options.allocations, allocationsPerJob: options.perJob)
let nodes = workload.nodes()
let jobs = workload.jobs()
let totals = workload.totals()
log("== scheduler bench: mode \(options.mode), \(nodes.count) nodes, \(jobs.count) jobs, \(options.allocations) allocations")
log("   requested / cluster capacity: cpu \(String(format: "%.1f", 100 * Double(totals.requestedCPU) / Double(totals.capacityCPU)))%, memory \(String(format: "%.1f", 100 * Double(totals.requestedMemory) / Double(totals.capacityMemory)))%")

let elapsed: Double
let leaderElapsed: Double
let finalStore: StateStore
var extra: [String: Double] = [:]
switch options.mode {
case "store":
    let (time, store, plans) = runStore(nodes: nodes, jobs: jobs, candidates: options.candidates, measureEncoding: options.measureEncoding)
    elapsed = time
    leaderElapsed = time
    finalStore = store
    extra["plans"] = Double(plans)
case "manager":
    let manager = ManagerServer(settings: managerSettings(workers: options.workers), clock: wallClock)
    await manager.start()
    (elapsed, leaderElapsed, finalStore) = try await drive(
        entry: manager, watched: [manager], nodes: nodes, jobs: jobs, target: options.allocations, timeout: options.timeout)
    await manager.shutDown()
case "raft":
    (elapsed, leaderElapsed, finalStore) = try await runRaft(nodes: nodes, jobs: jobs, target: options.allocations, timeout: options.timeout, workers: options.workers)
default:
    log("SchedulerBench: --mode must be store, manager or raft, not \(options.mode)")
    exit(64)
}

let placed = placedCount(finalStore, nodes: nodes)
var result = packing(finalStore, nodes: nodes).merging(extra) { $1 }
result["seconds"] = elapsed
result["leader_seconds"] = leaderElapsed
result["placed"] = Double(placed)
result["placements_per_second"] = Double(placed) / max(elapsed, 1e-9)
let lowerBoundNodes = max(
    Double(totals.requestedCPU) / (Double(totals.capacityCPU) / Double(nodes.count)),
    Double(totals.requestedMemory) / (Double(totals.capacityMemory) / Double(nodes.count)))
result["nodes_lower_bound"] = lowerBoundNodes.rounded(.up)
print(String(format: "placed %d in %.1f s (%.0f/s; leader committed all at %.1f s)", placed, elapsed, result["placements_per_second"] ?? 0, leaderElapsed))
print(String(format: "bin-packing: %d nodes hold work (lower bound ~%.0f of %d); those nodes are %.1f%% CPU, %.1f%% memory full (a perfect packing: 100%%; spreading over all nodes: %.1f%%)",
             Int(result["nodes_used"] ?? 0), lowerBoundNodes, nodes.count, 100 * (result["cpu_utilisation_of_used_nodes"] ?? 0),
             100 * (result["memory_utilisation_of_used_nodes"] ?? 0), 100 * Double(totals.requestedCPU) / Double(totals.capacityCPU)))
let json = result.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
print("result {\"mode\": \"\(options.mode)\", \(json)}")
