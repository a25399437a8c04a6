import ClusterModel
import ClusterSecurity
import Foundation
import Synchronization
import Worker

// Many workers in one process, each with its own certificate (from `roost join`, run by
// cluster-bench.sh) and its own authenticated channel to the managers, doing what a worker
// agent does to them: register, heartbeat at a third of the TTL, and keep one allocation long
// poll open. No tasks and no gossip: what is measured is the managers' side of worker RPC.
//
//   WorkerSwarmBench --credentials DIR --seconds 60
// DIR holds one subdirectory per worker with the `node-credentials` roost join wrote. Prints
// one JSON line.

struct Options {
    var credentials = ""
    var seconds = 60
    var concurrentRegistrations = 32
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    while let argument = arguments.next() {
        switch argument {
        case "--credentials": options.credentials = arguments.next() ?? ""
        case "--seconds": options.seconds = Int(arguments.next() ?? "") ?? options.seconds
        case "--concurrency": options.concurrentRegistrations = Int(arguments.next() ?? "") ?? options.concurrentRegistrations
        default:
            FileHandle.standardError.write(Data("WorkerSwarmBench: unknown argument \(argument)\n".utf8))
            exit(64)
        }
    }
    return options
}

func unixNow() -> Int64 { Int64(Date().timeIntervalSince1970) }

/// Latencies in milliseconds, and failures, gathered from every worker.
final class Tally: Sendable {
    private let state = Mutex<(latencies: [Double], failures: Int, lastFailure: String)>(([], 0, ""))
    func record(_ milliseconds: Double) { state.withLock { $0.latencies.append(milliseconds) } }
    func fail(_ error: any Error) { state.withLock { $0.failures += 1; $0.lastFailure = "\(error)" } }
    var snapshot: (latencies: [Double], failures: Int, lastFailure: String) { state.withLock { $0 } }
}

func percentile(_ values: [Double], _ fraction: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction))]
}

func milliseconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
}

let options = parseOptions()
let directories = ((try? FileManager.default.contentsOfDirectory(atPath: options.credentials)) ?? []).sorted()
var loaded: [(node: Node, link: RemoteManagerLink)] = []
for name in directories {
    let path = options.credentials + "/" + name + "/" + NodeCredentials.fileName
    guard let data = FileManager.default.contents(atPath: path), let credentials = try? NodeCredentials(decoding: Array(data)) else { continue }
    let certificate = credentials.certificate.certificate
    let addresses = credentials.grant.managers.compactMap { manager -> RemoteManagerLink.Address? in
        guard let colon = manager.rpc.lastIndex(of: ":"), let port = Int(manager.rpc[manager.rpc.index(after: colon)...]) else { return nil }
        return RemoteManagerLink.Address(host: String(manager.rpc[..<colon]), port: port)
    }
    guard !addresses.isEmpty else { continue }
    // Spread the workers over the managers, as workers listing them in different orders do.
    let rotated = Array(addresses[(loaded.count % addresses.count)...] + addresses[..<(loaded.count % addresses.count)])
    let node = Node(
        id: NodeID(uuid: certificate.nodeID), name: certificate.nodeName, attributes: ["kernel.name": "linux", "driver.raw_exec": "1"],
        resources: NodeResources(cpuMHz: 4_000, cores: 2, memoryMiB: 8_192), drivers: ["raw_exec": DriverHealth(detected: true, healthy: true)],
        status: .ready)
    loaded.append((node, RemoteManagerLink(identity: credentials.identity, managerPolicy: credentials.policy, addresses: rotated, now: unixNow)))
}
let workers = loaded
guard !workers.isEmpty else {
    FileHandle.standardError.write(Data("WorkerSwarmBench: no credentials under \(options.credentials)\n".utf8))
    exit(1)
}

// Registration, a bounded number at a time.
let registrations = Tally()
let registrationStart = ContinuousClock.now
await withTaskGroup(of: Void.self) { group in
    var next = 0
    func add(_ group: inout TaskGroup<Void>) {
        guard next < workers.count else { return }
        let worker = workers[next]
        next += 1
        group.addTask {
            let start = ContinuousClock.now
            do {
                try await worker.link.registerNode(worker.node)
                registrations.record(milliseconds(since: start))
            } catch {
                registrations.fail(error)
            }
        }
    }
    for _ in 0..<options.concurrentRegistrations { add(&group) }
    while await group.next() != nil { add(&group) }
}
let registrationSeconds = Double(milliseconds(since: registrationStart)) / 1_000

// Steady state: heartbeats at a third of the TTL, one long poll per worker.
let heartbeats = Tally()
let polls = Tally()
let steadyStart = ContinuousClock.now
let end = steadyStart.advanced(by: .seconds(options.seconds))
await withTaskGroup(of: Void.self) { group in
    for (index, worker) in workers.enumerated() {
        group.addTask {
            // Spread the first heartbeats over the period instead of all at once.
            var period = Duration.seconds(10) / 3
            try? await Task.sleep(for: period * (Double(index) / Double(workers.count)))
            while ContinuousClock.now < end {
                let start = ContinuousClock.now
                do {
                    let ttl = try await worker.link.heartbeat(worker.node.id)
                    heartbeats.record(milliseconds(since: start))
                    period = ttl / 3
                } catch {
                    heartbeats.fail(error)
                }
                try? await Task.sleep(for: period)
            }
        }
        group.addTask {
            var index: UInt64 = 0
            while ContinuousClock.now < end {
                let start = ContinuousClock.now
                do {
                    index = try await worker.link.allocations(forNode: worker.node.id, since: index, wait: .seconds(30)).index
                    polls.record(milliseconds(since: start))
                } catch {
                    polls.fail(error)
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }
}
let steadySeconds = Double(milliseconds(since: steadyStart)) / 1_000
for worker in workers { await worker.link.close() }

let registered = registrations.snapshot
let beats = heartbeats.snapshot
let polled = polls.snapshot
let result: [String: Any] = [
    "workers": workers.count,
    "registered": registered.latencies.count,
    "registration_failures": registered.failures,
    "registration_seconds": registrationSeconds,
    "registrations_per_second": Double(registered.latencies.count) / max(registrationSeconds, 0.001),
    "registration_p50_ms": percentile(registered.latencies, 0.5),
    "registration_p99_ms": percentile(registered.latencies, 0.99),
    "heartbeats": beats.latencies.count,
    "heartbeat_failures": beats.failures,
    "heartbeats_per_second": Double(beats.latencies.count) / max(steadySeconds, 0.001),
    "heartbeat_p50_ms": percentile(beats.latencies, 0.5),
    "heartbeat_p99_ms": percentile(beats.latencies, 0.99),
    "long_polls_answered": polled.latencies.count,
    "long_poll_failures": polled.failures,
    "last_failure": [registered.lastFailure, beats.lastFailure, polled.lastFailure].first { !$0.isEmpty } ?? "",
    "steady_seconds": steadySeconds,
]
let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
