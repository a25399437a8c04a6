import ClusterModel
import Foundation
import Scheduler
import TestSupport

/// An in-memory `SchedulerState` for exercising the scheduler without the store.
struct FakeState: SchedulerState {
    var jobs: [String: JobRecord] = [:]
    var nodes: [Node] = []
    var allocations: [Allocation] = []
    var configuration = SchedulerConfiguration()

    func schedulerConfiguration() -> SchedulerConfiguration { configuration }
    func job(namespace: String, id: String) -> JobRecord? { jobs[id] }
    func allNodes() -> [Node] { nodes }
    func node(id: NodeID) -> Node? { nodes.first { $0.id == id } }
    func allocations(namespace: String, jobID: String) -> [Allocation] { allocations.filter { $0.jobID == jobID } }
    func allocations(onNode nodeID: NodeID) -> [Allocation] { allocations.filter { $0.nodeID == nodeID } }

    mutating func register(_ spec: JobSpec, version: UInt64 = 0, stopped: Bool = false) {
        jobs[spec.id] = JobRecord(spec: spec, version: version, stopped: stopped, jobModifyIndex: 1)
    }

    /// Applies a plan the simple way (no validation), as a test's "the plan was committed".
    mutating func commit(_ plan: Plan) {
        for stops in plan.stops.values {
            for stop in stops {
                guard let index = allocations.firstIndex(where: { $0.id == stop.id }) else { continue }
                allocations[index].desiredStatus = stop.desiredStatus
                allocations[index].desiredDescription = stop.desiredDescription
                allocations[index].clientStatus = stop.clientStatus
            }
        }
        for placements in plan.placements.values {
            for placement in placements {
                if let index = allocations.firstIndex(where: { $0.id == placement.id }) {
                    allocations[index] = placement
                } else {
                    allocations.append(placement)
                    if let previous = placement.previousAllocation,
                        let index = allocations.firstIndex(where: { $0.id == previous })
                    {
                        allocations[index].nextAllocation = placement.id
                    }
                }
            }
        }
    }

    mutating func setClientStatus(_ status: ClientStatus, of id: AllocationID, finishedAt: Timestamp? = nil) {
        guard let index = allocations.firstIndex(where: { $0.id == id }) else { return }
        allocations[index].clientStatus = status
        if let finishedAt {
            for task in allocations[index].taskResources.keys {
                allocations[index].taskStates[task] = TaskState(state: .dead, failed: status == .failed, finishedAt: finishedAt)
            }
        }
    }
}

enum Fixture {
    /// The seeds a property test runs: the one the environment variable names (to replay a
    /// failure), else `range`.
    static func seeds(replaying variable: String, otherwise range: ClosedRange<UInt64>) -> [UInt64] {
        if let text = ProcessInfo.processInfo.environment[variable], let seed = UInt64(text) { return [seed] }
        return Array(range)
    }

    static func node(
        _ name: String, cpuMHz: Int = 4000, memoryMiB: Int = 8192, datacenter: String = "dc1",
        attributes: [String: String] = ["kernel.name": "linux"], meta: [String: String] = [:],
        drivers: [String] = ["raw_exec"], status: NodeStatus = .ready
    ) -> Node {
        var generator = SeededGenerator(seed: UInt64(truncatingIfNeeded: name.hashValueStable))
        var health: [String: DriverHealth] = [:]
        for driver in drivers { health[driver] = DriverHealth(detected: true, healthy: true) }
        return Node(
            id: .random(using: &generator), name: name, datacenter: datacenter, attributes: attributes, meta: meta,
            resources: NodeResources(cpuMHz: cpuMHz, cores: 4, memoryMiB: memoryMiB), drivers: health, status: status)
    }

    static func job(
        _ id: String, type: JobType = .service, count: Int = 1, cpuMHz: Int = 100, memoryMiB: Int = 256,
        driver: String = "raw_exec", constraints: [Constraint] = [], groupConstraints: [Constraint] = [],
        networks: [NetworkSpec] = [], reschedule: ReschedulePolicy?? = .none, datacenters: [String] = ["*"]
    ) -> JobSpec {
        let task = TaskSpec(
            name: "main", driver: driver, config: ["command": .string("/bin/true")],
            resources: Resources(cpuMHz: cpuMHz, memoryMiB: memoryMiB))
        let policy: ReschedulePolicy?
        switch reschedule {
        case .none: policy = ReschedulePolicy.defaults(for: type)
        case .some(let given): policy = given
        }
        let group = GroupSpec(
            name: "app", count: count, tasks: [task], constraints: groupConstraints,
            restart: RestartPolicy.defaults(for: type), reschedule: policy, networks: networks)
        return JobSpec(id: id, type: type, datacenters: datacenters, constraints: constraints, groups: [group])
    }

    static func evaluation(for job: JobSpec, trigger: EvaluationTrigger = .jobRegister, seed: UInt64 = 99) -> Evaluation {
        var generator = SeededGenerator(seed: seed)
        return Evaluation(id: .random(using: &generator), jobType: job.type, triggeredBy: trigger, jobID: job.id)
    }

    static let start = Timestamp(nanosecondsSinceEpoch: 1_700_000_000_000_000_000)
}

extension String {
    /// A hash that is the same in every process (Swift's `hashValue` is seeded per run).
    var hashValueStable: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}

extension Plan {
    var placed: [Allocation] { placements.values.flatMap { $0 }.sorted { $0.index < $1.index } }
    var stopped: [Allocation] { stops.values.flatMap { $0 } }
}

/// Runs one evaluation against the state with a fixed seed.
func schedule(
    _ job: JobSpec, in state: FakeState, trigger: EvaluationTrigger = .jobRegister, now: Timestamp = Fixture.start,
    seed: UInt64? = nil
) -> Plan {
    // Distinct by default across the rounds of a test, so IDs drawn in one round never
    // repeat those of an earlier one.
    let derived = UInt64(state.allocations.count) &* 7919 &+ UInt64(bitPattern: now.nanosecondsSinceEpoch)
    var generator = SeededGenerator(seed: seed ?? derived)
    return Scheduler().process(Fixture.evaluation(for: job, trigger: trigger), state: state, now: now, random: &generator)
}

/// The shared seeded generator, under the name these tests already use.
typealias SeededGenerator = SplitMix64
