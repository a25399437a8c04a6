import API
import ClusterModel
import Foundation

/// Follows a job after `job run` until it is where the user wanted it: every allocation running
/// (service, system) or finished (batch). Prints each evaluation result and allocation change
/// once, as it happens, using blocking queries rather than a busy poll.
struct JobMonitor {
    let client: AgentClient
    let context: CommandContext
    let jobID: String

    /// How long a blocking query waits on the agent before the monitor asks again.
    static let queryWait = "10s"

    enum Outcome {
        case running
        case complete
        /// Some of the job could not be placed (exit 2, as Nomad's monitor).
        case placementFailed
        case failed(String)
    }

    /// With `allocations` false, stops once the evaluation is processed (a deployment's
    /// monitor follows the allocations from there).
    func follow(evaluationID: String, version: UInt64, deadline: Duration, allocations followAllocations: Bool = true) async throws(CommandError) -> Outcome {
        let escaped = AgentClient.escape(jobID)
        context.writeLine("==> Monitoring evaluation \"\(evaluationID.prefix(8))\"")
        // 1. The evaluation: wait until the scheduler has processed it.
        var index: UInt64 = 0
        var evaluation: Evaluation?
        let start = ContinuousClock.now
        while evaluation.map({ $0.status == .pending }) ?? true {
            if ContinuousClock.now - start > deadline { return .failed("the evaluation was not processed within \(deadline)") }
            let (evaluations, newIndex) = try await client.get(
                "/v1/job/\(escaped)/evaluations?index=\(index)&wait=\(Self.queryWait)", as: [Evaluation].self)
            index = newIndex
            evaluation = evaluations.first { $0.id.uuid == evaluationID }
        }
        guard let evaluation else { return .failed("the evaluation disappeared") }
        context.writeLine("    Evaluation status: \(StatusColor.paint(evaluation.status.rawValue, in: context))")
        var placementFailed = false
        for (group, metrics) in evaluation.failedGroupAllocations.sorted(by: { $0.key < $1.key }) {
            placementFailed = true
            context.writeLine("==> Placement failure for group \"\(group)\": \(metrics.summary())")
        }
        if evaluation.status == .failed { return .failed(evaluation.statusDescription) }
        if placementFailed { return .placementFailed }
        if !followAllocations { return .running }

        // 2. The allocations of this version: report changes until the goal is reached.
        var reported: [AllocationID: ClientStatus] = [:]
        index = 0
        while ContinuousClock.now - start <= deadline {
            let (allocations, newIndex) = try await client.get(
                "/v1/job/\(escaped)/allocations?index=\(index)&wait=\(Self.queryWait)", as: [AllocationListStub].self)
            index = newIndex
            let current = allocations.filter { $0.jobVersion == version && $0.desiredStatus == .run }
            for allocation in current.sorted(by: { $0.name < $1.name }) where reported[allocation.id] != allocation.clientStatus {
                let previous = reported[allocation.id]
                reported[allocation.id] = allocation.clientStatus
                let status = StatusColor.paint(allocation.clientStatus.rawValue, in: context)
                if previous == nil {
                    context.writeLine("    Allocation \"\(allocation.id.short)\" (\(allocation.name)) on node \"\(allocation.nodeName)\": \(status)")
                } else {
                    context.writeLine("    Allocation \"\(allocation.id.short)\" is now \(status)\(Self.reason(allocation))")
                }
            }
            let (job, _) = try await client.get("/v1/job/\(escaped)", as: JobDetail.self)
            let wanted = job.taskGroups.reduce(0) { $0 + $1.count }
            switch job.type {
            case .batch, .sysbatch:
                let live = current.filter { !$0.clientStatus.isTerminal }
                if job.status == .dead && live.isEmpty {
                    let failed = current.filter { $0.clientStatus == .failed && $0.nextAllocation == nil }
                    return failed.isEmpty ? .complete : .failed("\(failed.count) allocation\(failed.count == 1 ? "" : "s") failed: run \"roost alloc status \(failed[0].id.short)\" to see why")
                }
            case .service, .system:
                let running = current.filter { $0.clientStatus == .running }.count
                // Nothing wanted is trivially reached; otherwise every wanted copy must run.
                if wanted == 0 || (!current.isEmpty && running >= wanted) { return .running }
            }
        }
        return .failed("the job was not \(placementFailed ? "placed" : "running") within \(deadline); see \"roost job status \(jobID)\"")
    }

    /// ", exited 1" — the last task event, for a status change line.
    static func reason(_ allocation: AllocationListStub) -> String {
        let events = allocation.taskStates.values.flatMap(\.events).sorted { $0.time < $1.time }
        guard let last = events.last, !last.message.isEmpty else { return "" }
        return " (\(last.message))"
    }
}
