import API
import ClusterModel

extension JobMonitor {
    /// Follows the deployment of `version` until it ends, printing its table whenever it
    /// changes (as Nomad's monitor does without a terminal). Returns nil when the version
    /// has no deployment (an in-place or count-only change): the caller follows the
    /// allocations instead.
    func followDeployment(version: UInt64) async throws(CommandError) -> ExitCode? {
        let escaped = AgentClient.escape(jobID)
        let (latest, _) = try await client.get("/v1/job/\(escaped)/deployment", as: Deployment?.self)
        guard var deployment = latest, deployment.jobVersion == version else { return nil }
        context.writeLine("==> Monitoring deployment \"\(deployment.id.short)\"")
        var shown = ""
        var index: UInt64 = 0
        while true {
            // Deadlines are left out of what counts as a change, or the table would repeat
            // every second; they are shown as they stand when something else moved.
            let progress = "\(deployment.status)|\(deployment.statusDescription)|" + deployment.taskGroups.keys.sorted().map {
                let group = deployment.taskGroups[$0]
                return "\($0):\(group?.placedAllocations ?? 0),\(group?.healthyAllocations ?? 0),\(group?.unhealthyAllocations ?? 0),\(group?.promoted ?? false)"
            }.joined(separator: ";")
            if progress != shown {
                shown = progress
                context.console.writeOutput(DeploymentCommand.describe(deployment, in: context, now: .current) + "\n")
            }
            switch deployment.status {
            case .successful:
                context.writeLine("==> Deployment \"\(deployment.id.short)\" successful: job \"\(jobID)\" version \(version) is stable")
                return .success
            case .failed, .cancelled:
                context.writeErrorLine(
                    "error: deployment \"\(deployment.id.short)\" \(deployment.status.rawValue): \(deployment.statusDescription); "
                        + "see \"roost deployment status \(deployment.id.short)\" and \"roost job history \(jobID)\"")
                return .deploymentFailed
            case .running, .paused:
                break
            }
            let (next, newIndex) = try await client.get(
                "/v1/deployment/\(deployment.id.uuid)?index=\(index)&wait=\(Self.queryWait)", as: Deployment.self)
            index = newIndex
            deployment = next
        }
    }
}

extension ExitCode {
    /// `job run`: the deployment of the new version failed or was cancelled. The same status as
    /// a placement failure: the job was registered but did not get where it was asked to.
    static let deploymentFailed = ExitCode.placementFailed
}
