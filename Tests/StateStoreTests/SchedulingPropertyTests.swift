import ClusterModel
import Foundation
import Scheduler
import StateStore
import Testing

/// Random clusters, jobs and failures run through the scheduler and the store as a manager
/// would (broker, optimistic plans, worker reports), with the invariants checked after every
/// command. A failure names its seed; `SCHEDULER_SEED=<n> swift test --filter
/// SchedulingPropertyTests` replays just that one.
@Suite struct SchedulingPropertyTests {
    static let seeds: [UInt64] = {
        if let text = ProcessInfo.processInfo.environment["SCHEDULER_SEED"], let seed = UInt64(text) { return [seed] }
        return Array(1...150)
    }()

    @Test func randomClustersJobsAndFailuresNeverBreakTheInvariants() {
        var totals = Simulation.Counters()
        for seed in Self.seeds {
            var simulation = Simulation(seed: seed)
            if let failure = simulation.run(steps: 50) {
                Issue.record("seed \(seed): \(failure) (replay with SCHEDULER_SEED=\(seed))")
                return
            }
            totals.add(simulation.counters)
        }
        print("scheduling simulation over \(Self.seeds.count) seeds: \(totals)")
        // The runs must actually exercise what the invariants guard.
        if Self.seeds.count > 1 {
            #expect(totals.placed > 100 && totals.failed > 10 && totals.rescheduled > 5 && totals.lost > 0)
            #expect(totals.unplaced > 0 && totals.rejectedPlans > 0 && totals.delayed > 0)
        }
    }
}

/// One seeded run. Every method that changes the store checks the invariants afterwards
/// and records the first violation.
struct Simulation {
    var harness: Harness
    var random: SeededGenerator
    var failure: String?
    var jobs: [String: JobSpec] = [:]
    var tableIndexes: [StateTable: UInt64] = [:]
    var step = 0
    var counters = Counters()

    struct Counters: CustomStringConvertible {
        var placed = 0
        var failed = 0
        var rescheduled = 0
        var lost = 0
        var unplaced = 0
        var rejectedPlans = 0
        var delayed = 0

        mutating func add(_ other: Counters) {
            placed += other.placed
            failed += other.failed
            rescheduled += other.rescheduled
            lost += other.lost
            unplaced += other.unplaced
            rejectedPlans += other.rejectedPlans
            delayed += other.delayed
        }

        var description: String {
            "\(placed) placed, \(failed) failed, \(rescheduled) rescheduled, \(lost) lost, \(unplaced) groups left unplaced, "
                + "\(rejectedPlans) plans partly rejected, \(delayed) delayed reschedules"
        }
    }

    init(seed: UInt64) {
        harness = Harness(seed: seed &* 31 &+ 7)
        random = SeededGenerator(seed: seed)
    }

    mutating func run(steps: Int) -> String? {
        for index in 0..<Int.random(in: 1...6, using: &random) { addNode("n\(index)") }
        for index in 0..<Int.random(in: 1...4, using: &random) { register(randomJob("job\(index)")) }
        for current in 0..<steps {
            step = current
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<35: runBroker()
            case 35..<65: workerReports()
            case 65..<72: toggleNode()
            case 72..<80: updateSomeJob()
            case 80..<83: stopSomeJob()
            default: harness.now = harness.now + .seconds(Int64.random(in: 1...40, using: &random))
            }
            if failure != nil { break }
        }
        if failure == nil {
            // Let the cluster settle, then check the final state once more, and that a
            // snapshot of it restores to an equal store.
            for _ in 0..<3 {
                harness.now = harness.now + .seconds(60)
                workerReports()
                runBroker()
            }
            let restored = StateStore(restoring: harness.store.snapshot())
            if restored != harness.store { failure = "a restored snapshot differs from the store" }
        }
        return failure.map { "step \(step): \($0)" }
    }

    // MARK: Actions

    mutating func apply(_ command: StateCommand) {
        let before = harness.store.latestIndex
        switch harness.apply(command) {
        case .success(let outcome):
            if outcome.index <= before { failure = failure ?? "index \(outcome.index) did not increase past \(before)" }
        case .failure(let error):
            failure = failure ?? "command refused: \(error)"
        }
        checkInvariants()
    }

    mutating func addNode(_ name: String) {
        var attributes = ["kernel.name": Int.random(in: 0..<5, using: &random) == 0 ? "windows" : "linux"]
        attributes["rack"] = "r\(Int.random(in: 1...3, using: &random))"
        var drivers = ["raw_exec": DriverHealth(detected: true, healthy: true)]
        if Bool.random(using: &random) { drivers["oci"] = DriverHealth(detected: true, healthy: Bool.random(using: &random)) }
        let node = Node(
            id: .random(using: &random), name: name, attributes: attributes,
            resources: NodeResources(
                cpuMHz: Int.random(in: 1000...8000, using: &random), cores: 4,
                memoryMiB: Int.random(in: 1024...16384, using: &random)),
            drivers: drivers, status: .ready)
        apply(.upsertNode(node, evaluations: [], time: harness.now))
    }

    func randomJob(_ id: String) -> JobSpec {
        var random = SeededGenerator(seed: harness.random.state ^ UInt64(id.utf8.count) ^ 0xA5A5)
        let type: JobType = [.service, .service, .batch, .batch, .system].randomElement(using: &random) ?? .service
        var task = TaskSpec(
            name: "main", driver: Int.random(in: 0..<8, using: &random) == 0 ? "oci" : "raw_exec",
            resources: Resources(
                cpuMHz: Int.random(in: 50...1500, using: &random), memoryMiB: Int.random(in: 64...3000, using: &random)))
        if Int.random(in: 0..<4, using: &random) == 0 {
            task.constraints.append(Constraint(leftTarget: "${attr.kernel.name}", rightTarget: "linux", operand: "="))
        }
        var networks: [NetworkSpec] = []
        switch Int.random(in: 0..<10, using: &random) {
        case 0: networks = [NetworkSpec(reservedPorts: [.init(label: "http", value: 8000 + Int.random(in: 0..<3, using: &random))])]
        case 1..<4: networks = [NetworkSpec(dynamicPorts: [.init(label: "http"), .init(label: "admin")])]
        default: break
        }
        var constraints: [Constraint] = []
        if Int.random(in: 0..<6, using: &random) == 0 { constraints.append(Constraint(operand: "distinct_hosts")) }
        let reschedule: ReschedulePolicy? =
            type == .system
            ? nil
            : ReschedulePolicy(
                attempts: Int.random(in: 0...3, using: &random), interval: .seconds(600),
                delay: .seconds(Int64.random(in: 0...20, using: &random)),
                delayFunction: [.constant, .exponential, .fibonacci].randomElement(using: &random) ?? .constant,
                maxDelay: .seconds(120), unlimited: Int.random(in: 0..<3, using: &random) == 0)
        let group = GroupSpec(
            name: "g", count: Int.random(in: 1...6, using: &random), tasks: [task],
            restart: RestartPolicy.defaults(for: type), reschedule: reschedule, networks: networks)
        return JobSpec(id: id, type: type, constraints: constraints, groups: [group])
    }

    mutating func register(_ job: JobSpec) {
        jobs[job.id] = job
        apply(.registerJob(job, evaluation: harness.evaluation(for: job), submitTime: harness.now))
    }

    mutating func updateSomeJob() {
        guard let id = jobs.keys.sorted().randomElement(using: &random), var job = jobs[id] else { return }
        if Bool.random(using: &random) {
            job.groups[0].count = Int.random(in: 0...6, using: &random)
        } else {
            job.groups[0].tasks[0].env["REVISION"] = "\(step)"
        }
        register(job)
    }

    mutating func stopSomeJob() {
        guard let id = jobs.keys.sorted().randomElement(using: &random), let job = jobs[id] else { return }
        let evaluation = harness.evaluation(for: job, trigger: .jobDeregister)
        apply(.deregisterJob(namespace: job.namespace, jobID: id, purge: Bool.random(using: &random), evaluation: evaluation, time: harness.now))
        jobs[id] = nil
    }

    mutating func toggleNode() {
        guard let node = harness.store.allNodes().randomElement(using: &random) else { return }
        let status: NodeStatus = node.status == .ready ? .down : .ready
        let evaluations = harness.store.evaluationsForNodeChange(node.id, now: harness.now, random: &harness.random)
        apply(.updateNodeStatus(node.id, status: status, description: "", evaluations: evaluations, time: harness.now))
    }

    /// The eval broker: blocked evaluations become pending (capacity may have changed), then
    /// up to two due evaluations are scheduled on the same snapshot and committed one after
    /// the other, so the second is validated against a state the first has changed.
    mutating func runBroker() {
        let blocked = harness.store.evaluations(status: .blocked).map { evaluation -> Evaluation in
            var pending = evaluation
            pending.status = .pending
            return pending
        }
        if !blocked.isEmpty { apply(.upsertEvaluations(blocked, time: harness.now)) }
        let due = harness.store.evaluations(status: .pending).filter { ($0.waitUntil ?? .zero) <= harness.now }
        let snapshot = harness.store
        var plans: [Plan] = []
        for evaluation in due.prefix(2) {
            plans.append(harness.scheduler.process(evaluation, state: snapshot, now: harness.now, random: &harness.random))
        }
        for plan in plans {
            checkExplained(plan)
            let verdict = harness.store.validate(plan)
            let fresh = verdict.accepted.placements.values.joined().filter { harness.store.allocation(id: $0.id) == nil }
            counters.placed += fresh.count
            counters.rescheduled += fresh.filter { !$0.rescheduleTracker.events.isEmpty }.count
            counters.lost += verdict.accepted.stops.values.joined().filter { $0.clientStatus == .lost }.count
            counters.unplaced += plan.evaluation.queuedAllocations.values.filter { $0 > 0 }.count
            counters.rejectedPlans += verdict.isFullyAccepted ? 0 : 1
            counters.delayed += plan.followupEvaluations.filter { $0.waitUntil != nil }.count
            apply(.applyPlan(verdict.accepted, time: harness.now))
            let planned = snapshot.job(namespace: plan.namespace, id: plan.jobID)
            if let planned, verdict.isFullyAccepted, !planned.stopped,
                harness.store.job(namespace: plan.namespace, id: plan.jobID)?.jobModifyIndex == planned.jobModifyIndex
            {
                checkCount(of: planned)
            }
            if !verdict.isFullyAccepted, harness.store.evaluation(id: plan.evaluationID)?.status != .pending {
                failure = failure ?? "a partly rejected plan's evaluation is not pending again"
            }
        }
    }

    /// Workers: stopped allocations finish, pending ones start, running ones sometimes fail
    /// (with an evaluation, as the manager would create) or, for batch, complete.
    mutating func workerReports() {
        var updates: [ClientAllocationUpdate] = []
        var evaluations: [Evaluation] = []
        for allocation in harness.store.allAllocations() where !allocation.clientStatus.isTerminal {
            guard harness.store.node(id: allocation.nodeID)?.status == .ready else { continue }
            let roll = Int.random(in: 0..<10, using: &random)
            var status = allocation.clientStatus
            if allocation.desiredStatus != .run {
                status = .complete
            } else if allocation.clientStatus == .pending {
                if roll < 6 { status = .running }
            } else if roll == 0 {
                status = .failed
            } else if roll < 3 && (allocation.job.type == .batch) {
                status = .complete
            }
            guard status != allocation.clientStatus else { continue }
            updates.append(ClientAllocationUpdate(id: allocation.id, clientStatus: status, taskStates: finished(allocation, status)))
            if status == .failed { counters.failed += 1 }
            if status == .failed, let job = harness.store.job(namespace: allocation.namespace, id: allocation.jobID)?.spec {
                evaluations.append(harness.evaluation(for: job, trigger: .allocationFailure))
            }
        }
        if !updates.isEmpty { apply(.updateAllocations(updates, evaluations: evaluations, time: harness.now)) }
    }

    func finished(_ allocation: Allocation, _ status: ClientStatus) -> [String: TaskState] {
        var states: [String: TaskState] = [:]
        for task in allocation.taskResources.keys {
            states[task] = TaskState(
                state: status.isTerminal ? .dead : .running, failed: status == .failed,
                finishedAt: status.isTerminal ? harness.now : nil)
        }
        return states
    }

    // MARK: Invariants

    mutating func checkExplained(_ plan: Plan) {
        for (group, queued) in plan.evaluation.queuedAllocations where queued > 0 {
            guard let metrics = plan.evaluation.failedGroupAllocations[group] else {
                failure = failure ?? "group \(plan.jobID).\(group) left \(queued) unplaced without a reason"
                return
            }
            if metrics.summary().isEmpty || (metrics.constraintFiltered.isEmpty && metrics.dimensionExhausted.isEmpty && metrics.nodesEvaluated > 0) {
                failure = failure ?? "group \(plan.jobID).\(group) unplaced with an empty explanation: \(metrics)"
            }
            if plan.evaluation.blockedEvaluation == nil && plan.evaluation.status != .blocked {
                failure = failure ?? "group \(plan.jobID).\(group) unplaced without a blocked evaluation"
            }
        }
    }

    /// Once a plan for the job's current version is committed, no group runs more than its
    /// count (system jobs: one per node).
    mutating func checkCount(of job: JobRecord) {
        guard failure == nil, job.spec.type != .system else { return }
        for group in job.spec.groups {
            let live = harness.store.allocations(jobID: job.id).filter { $0.groupName == group.name && !$0.isTerminal }
            if live.count > max(0, group.count) {
                failure = "job \(job.id).\(group.name) has \(live.count) live allocations for count \(group.count)"
            }
        }
    }

    mutating func checkInvariants() {
        guard failure == nil else { return }
        let store = harness.store
        let latest = store.latestIndex
        for table in StateTable.allCases {
            let index = store.index(of: table)
            if index > latest || index < (tableIndexes[table] ?? 0) {
                failure = "table \(table) index \(index) went backwards or past \(latest)"
                return
            }
            tableIndexes[table] = index
        }
        let allocations = store.allAllocations()
        var byID: [AllocationID: Allocation] = [:]
        for allocation in allocations { byID[allocation.id] = allocation }
        for node in store.allNodes() {
            let live = store.allocations(onNode: node.id).filter { !$0.isTerminal }
            let cpu = live.reduce(0) { $0 + $1.reservedCPUMHz }
            let memory = live.reduce(0) { $0 + $1.reservedMemoryMiB }
            let ports = live.flatMap(\.ports).map(\.value)
            if cpu > node.resources.cpuMHz || memory > node.resources.memoryMiB {
                failure = "node \(node.name) over-committed: \(cpu)/\(node.resources.cpuMHz) MHz, \(memory)/\(node.resources.memoryMiB) MiB"
                return
            }
            if Set(ports).count != ports.count {
                failure = "node \(node.name) has a port given twice: \(ports.sorted())"
                return
            }
            let usage = store.usage(onNode: node.id)
            if usage.cpuMHz != cpu || usage.memoryMiB != memory || usage.allocationCount != live.count {
                failure = "node \(node.name) usage tally \(usage) disagrees with its allocations"
                return
            }
        }
        for job in store.jobs() where !job.stopped {
            for group in job.spec.groups {
                let live = store.allocations(jobID: job.id).filter { $0.groupName == group.name && !$0.isTerminal }
                if job.spec.type == .system {
                    if Set(live.map(\.nodeID)).count != live.count {
                        failure = "system job \(job.id) runs twice on a node"
                        return
                    }
                } else if job.spec.type == .batch, let redone = live.first(where: { alive in
                    store.allocations(jobID: job.id).contains {
                        $0.name == alive.name && $0.jobVersion == alive.jobVersion && $0.clientStatus == .complete
                            && $0.desiredStatus == .run
                    }
                }) {
                    failure = "batch slot \(redone.name) runs again after it completed"
                    return
                } else if Set(live.map(\.index)).count != live.count {
                    failure = "job \(job.id).\(group.name) runs an index twice: \(live.map(\.index).sorted())"
                    return
                }
            }
        }
        for allocation in allocations {
            if allocation.createIndex > allocation.modifyIndex || allocation.modifyIndex > latest {
                failure = "allocation \(allocation.name) has indexes \(allocation.createIndex)/\(allocation.modifyIndex) past \(latest)"
                return
            }
            if let previousID = allocation.previousAllocation, let previous = byID[previousID],
                previous.job.type == .batch, previous.clientStatus == .complete, previous.desiredStatus == .run
            {
                // (A batch allocation the scheduler stopped, for an update, completes as it
                // stops; replacing that one is right.)
                failure = "completed batch allocation \(previous.name) was replaced by \(allocation.id.short)"
                return
            }
        }
    }
}
