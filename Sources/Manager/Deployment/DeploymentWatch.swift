import ClusterModel

/// The deployment watcher's judgement of one running deployment, as a pure function of the
/// replicated state and the instant, so a new leader reaches the same verdict as the old one
/// would have and tests need no clock but the one they pass.
enum DeploymentWatch {
    enum Verdict: Sendable, Equatable {
        /// Nothing to decide; the roll-out goes on.
        case wait
        case succeed
        case fail(String)
        case cancel(String)
        /// Every group with canaries asked for `auto_promote` and its canaries are healthy.
        case promote([String])
    }

    static func assess(_ deployment: Deployment, job: JobRecord?, allocations: [Allocation], now: Timestamp) -> Verdict {
        guard let job, !job.stopped else { return .cancel("Cancelled because job is stopped") }
        if job.version > deployment.jobVersion { return .cancel("Cancelled due to newer version of job (\(job.version))") }
        guard deployment.status == .running else { return .wait }
        let own = allocations.filter { $0.deploymentID == deployment.id }
        if let unhealthy = own.first(where: { $0.deploymentStatus?.healthy == false }) {
            let why = unhealthy.deploymentStatus?.description ?? ""
            return .fail("Failed due to unhealthy allocations" + (why.isEmpty ? "" : " (\(unhealthy.id.short): \(why))"))
        }
        var complete = true
        var promotable: [String] = []
        var everyCanaryGroupAutoPromotes = true
        for name in deployment.taskGroups.keys.sorted() {
            guard let group = deployment.taskGroups[name] else { continue }
            let groupDone = isComplete(name, of: deployment, job: job, allocations: allocations)
            if !groupDone, group.progressDeadline > .zero, group.requireProgressBy != .zero, now > group.requireProgressBy {
                return .fail("Failed due to progress deadline: group \"\(name)\" had no newly healthy allocation within \(group.progressDeadline)")
            }
            if group.desiredCanaries > 0 && !group.promoted {
                complete = false
                let healthy = own.filter { group.placedCanaries.contains($0.id) && $0.deploymentStatus?.healthy == true }.count
                if healthy >= group.desiredCanaries { promotable.append(name) }
                if !group.autoPromote { everyCanaryGroupAutoPromotes = false }
                continue
            }
            if !groupDone { complete = false }
        }
        let waiting = deployment.taskGroups.filter { $0.value.desiredCanaries > 0 && !$0.value.promoted }.count
        if waiting > 0, promotable.count == waiting, everyCanaryGroupAutoPromotes { return .promote(promotable) }
        return complete ? .succeed : .wait
    }

    /// A group is done when every live allocation runs the deployment's version, there are as
    /// many as the group's count, and those the deployment placed are all healthy.
    static func isComplete(_ name: String, of deployment: Deployment, job: JobRecord, allocations: [Allocation]) -> Bool {
        guard let spec = job.spec.groups.first(where: { $0.name == name }) else { return true }
        let live = allocations.filter { $0.groupName == name && $0.desiredStatus == .run && !$0.clientStatus.isTerminal }
        return live.count >= spec.count && live.allSatisfy { $0.jobVersion == deployment.jobVersion }
            && live.allSatisfy { $0.deploymentID != deployment.id || $0.deploymentStatus?.healthy == true }
    }

    /// What the watcher compares to see that a deployment moved (and the scheduler should look
    /// again): its status and every group's counts.
    static func progress(of deployment: Deployment) -> String {
        deployment.taskGroups.keys.sorted().reduce(deployment.status.rawValue) { text, name in
            guard let group = deployment.taskGroups[name] else { return text }
            return text + "|\(name):\(group.placedAllocations),\(group.healthyAllocations),\(group.unhealthyAllocations),\(group.promoted)"
        }
    }
}
