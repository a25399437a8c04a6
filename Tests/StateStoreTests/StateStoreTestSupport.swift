import ClusterModel
import Scheduler
import StateStore
import TestSupport

/// A store plus the bookkeeping a manager would do: a growing index, a clock, the seeded
/// generator, and the register → schedule → validate → commit loop.
struct Harness {
    var store = StateStore()
    var random: SeededGenerator
    var index: UInt64 = 0
    var now = Timestamp(nanosecondsSinceEpoch: 1_700_000_000_000_000_000)
    let scheduler = Scheduler()

    init(seed: UInt64 = 1) { random = SeededGenerator(seed: seed) }

    @discardableResult
    mutating func apply(_ command: StateCommand) -> Result<ApplyOutcome, StateError> {
        index += 1
        return store.apply(command, index: index)
    }

    mutating func addNode(_ name: String, cpuMHz: Int = 4000, memoryMiB: Int = 8192, attributes: [String: String] = [:]) -> Node {
        let node = Node(
            id: .random(using: &random), name: name, attributes: attributes,
            resources: NodeResources(cpuMHz: cpuMHz, cores: 4, memoryMiB: memoryMiB),
            drivers: ["raw_exec": DriverHealth(detected: true, healthy: true)], status: .ready)
        apply(.upsertNode(node, evaluations: [], time: now))
        return node
    }

    mutating func evaluation(for job: JobSpec, trigger: EvaluationTrigger = .jobRegister) -> Evaluation {
        Evaluation(id: .random(using: &random), priority: job.priority, jobType: job.type, triggeredBy: trigger, jobID: job.id)
    }

    /// Registers the job and runs its evaluation to completion; returns the evaluation ID.
    @discardableResult
    mutating func run(_ job: JobSpec) -> EvaluationID {
        let evaluation = evaluation(for: job)
        apply(.registerJob(job, evaluation: evaluation, submitTime: now))
        process(evaluation.id)
        return evaluation.id
    }

    /// Schedules an evaluation on a snapshot and commits the accepted part of the plan.
    @discardableResult
    mutating func process(_ id: EvaluationID) -> PlanVerdict? {
        guard let evaluation = store.evaluation(id: id) else { return nil }
        let snapshot = store
        let plan = scheduler.process(evaluation, state: snapshot, now: now, random: &random)
        let verdict = store.validate(plan)
        apply(.applyPlan(verdict.accepted, time: now))
        return verdict
    }

    mutating func report(_ id: AllocationID, _ status: ClientStatus, evaluations: [Evaluation] = []) {
        var states: [String: TaskState] = [:]
        if let allocation = store.allocation(id: id) {
            for task in allocation.taskResources.keys {
                states[task] = TaskState(
                    state: status.isTerminal ? .dead : .running, failed: status == .failed,
                    finishedAt: status.isTerminal ? now : nil)
            }
        }
        apply(.updateAllocations([ClientAllocationUpdate(id: id, clientStatus: status, taskStates: states)], evaluations: evaluations, time: now))
    }
}

enum Fixture {
    static func job(_ id: String, type: JobType = .service, count: Int = 1, memoryMiB: Int = 256) -> JobSpec {
        let task = TaskSpec(name: "main", driver: "raw_exec", resources: Resources(cpuMHz: 100, memoryMiB: memoryMiB))
        let group = GroupSpec(
            name: "app", count: count, tasks: [task], restart: RestartPolicy.defaults(for: type),
            reschedule: ReschedulePolicy.defaults(for: type))
        return JobSpec(id: id, type: type, groups: [group])
    }
}

/// The shared seeded generator, under the name these tests already use.
typealias SeededGenerator = SplitMix64
