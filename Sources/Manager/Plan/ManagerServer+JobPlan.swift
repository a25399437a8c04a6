import ClusterModel
import Scheduler
import StateStore

extension ManagerServer {
    /// `roost job plan`: registers `job` on a private copy of a consistent snapshot, runs the
    /// scheduler on that copy, and reports what it would do. Nothing is replicated, and the
    /// evaluation it makes exists only in the copy.
    public func planJob(_ job: JobSpec) async throws(ManagerError) -> JobPlanResult {
        let problems = JobRegistrationCheck.problems(in: job)
        guard problems.isEmpty else { throw .invalid(problems.joined(separator: "; "), diagnostics: problems) }
        var state = try await snapshot(stale: false)
        let existing = state.job(namespace: job.namespace, id: job.id)
        let now = clock()
        var result = JobPlanResult(
            diff: JobDiff.lines(from: existing?.spec, to: job), groups: [:], failed: [:],
            jobModifyIndex: existing?.jobModifyIndex ?? 0, warnings: [])
        if job.periodic != nil || job.parameterized != nil {
            result.warnings.append("a \(job.periodic != nil ? "periodic" : "parameterized") job places nothing itself: its launched children do")
            return result
        }
        let evaluation = newEvaluation(for: job, trigger: .jobRegister, now: now)
        let before = state
        switch state.apply(.registerJob(job, evaluation: evaluation, submitTime: now), index: state.latestIndex + 1) {
        case .success: break
        case .failure(let error): throw .invalid("the job cannot be registered: \(error)")
        }
        var generator = random
        let plan = Scheduler().process(evaluation, state: state, now: now, random: &generator)
        result.groups = Self.groupUpdates(of: plan, job: job, before: before)
        result.failed = plan.evaluation.failedGroupAllocations
        result.preempted = plan.stops.values.joined().filter { $0.jobID != job.id || $0.namespace != job.namespace }
            .sorted { $0.id < $1.id }
        return result
    }

    /// Counts a plan's effect per group: an allocation the state already had and the plan
    /// places again is updated in place; a stop marked as an update and a placement for the
    /// same slot are one destructive update; other placements and stops stand alone.
    static func groupUpdates(of plan: Plan, job: JobSpec, before: StateStore) -> [String: JobPlanResult.GroupUpdates] {
        var groups: [String: JobPlanResult.GroupUpdates] = [:]
        for group in job.groups { groups[group.name] = JobPlanResult.GroupUpdates() }
        let existing = before.allocations(jobID: job.id).filter { $0.namespace == job.namespace }
        let existingIDs = Set(existing.map(\.id))
        var touched = Set<AllocationID>()
        var replacedSlots: [String: Set<Int>] = [:]
        // Other jobs' allocations stopped by preemption are reported apart (`preempted`).
        for stop in plan.stops.values.joined() where stop.jobID == job.id && stop.namespace == job.namespace {
            touched.insert(stop.id)
            if stop.desiredDescription.contains("update") {
                replacedSlots[stop.groupName, default: []].insert(stop.index)
                groups[stop.groupName, default: .init()].destructiveUpdate += 1
            } else {
                groups[stop.groupName, default: .init()].stop += 1
            }
        }
        for placement in plan.placements.values.joined() {
            if existingIDs.contains(placement.id) {
                touched.insert(placement.id)
                groups[placement.groupName, default: .init()].inPlaceUpdate += 1
            } else if placement.deploymentStatus?.canary == true {
                groups[placement.groupName, default: .init()].canary += 1
            } else if replacedSlots[placement.groupName]?.contains(placement.index) == true {
                continue
            } else {
                groups[placement.groupName, default: .init()].place += 1
            }
        }
        for allocation in existing where allocation.desiredStatus == .run && !allocation.clientStatus.isTerminal && !touched.contains(allocation.id) {
            groups[allocation.groupName, default: .init()].ignore += 1
        }
        return groups
    }
}
