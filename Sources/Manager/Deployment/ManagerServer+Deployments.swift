import ClusterModel
import StateStore

/// The deployment watcher (leader only) and the operators' deployment actions. The watcher
/// keeps nothing that matters outside the replicated state: counts and statuses live in the
/// deployments table, so a new leader continues where the old one stopped.
extension ManagerServer {
    /// How often the leader looks at running deployments. Health reports arrive in batches
    /// anyway; this only bounds how late the next step of a roll-out starts.
    static let deploymentWatchInterval: Duration = .milliseconds(250)

    func startDeploymentWatcher() -> Task<Void, Never> {
        Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.deploymentWatchInterval)
                await self?.watchDeployments()
            }
        }
    }

    /// One pass of the watcher at the manager's clock: ends deployments that succeeded, failed
    /// (reverting when asked) or were superseded, auto-promotes canaries, and creates an
    /// evaluation for each running deployment that moved since the last pass. Returns the
    /// verdicts acted on, for tests.
    @discardableResult
    func watchDeployments() async -> [DeploymentID: DeploymentWatch.Verdict] {
        guard leads, !isShutDown else { return [:] }
        if deploymentWatchMemory.epoch != leadershipEpoch {
            deploymentWatchMemory = DeploymentWatchMemory(epoch: leadershipEpoch)
        }
        let now = clock()
        let store = await state.snapshot
        var acted: [DeploymentID: DeploymentWatch.Verdict] = [:]
        for deployment in store.allDeployments() where deployment.isActive {
            let job = store.job(namespace: deployment.namespace, id: deployment.jobID)
            let allocations = store.allocations(namespace: deployment.namespace, jobID: deployment.jobID)
            let verdict = DeploymentWatch.assess(deployment, job: job, allocations: allocations, now: now)
            var update: DeploymentUpdate?
            switch verdict {
            case .wait:
                let progress = DeploymentWatch.progress(of: deployment)
                guard deployment.status == .running, deploymentWatchMemory.progress[deployment.id] != progress,
                      let job
                else { continue }
                deploymentWatchMemory.progress[deployment.id] = progress
                update = DeploymentUpdate(
                    deploymentID: deployment.id, evaluations: [newEvaluation(for: job.spec, trigger: .deploymentWatcher, now: now)],
                    time: now)
            case .succeed:
                update = DeploymentUpdate(
                    deploymentID: deployment.id, status: .successful, markJobStable: true, time: now)
            case .fail(let reason):
                update = failure(of: deployment, because: reason, in: store, now: now)
            case .cancel(let reason):
                update = DeploymentUpdate(deploymentID: deployment.id, status: .cancelled, statusDescription: reason, time: now)
            case .promote(let groups):
                guard let job else { continue }
                update = DeploymentUpdate(
                    deploymentID: deployment.id, statusDescription: DeploymentStatus.running.defaultDescription,
                    promoteGroups: groups, evaluations: [newEvaluation(for: job.spec, trigger: .deploymentWatcher, now: now)],
                    time: now)
            }
            guard let update else { continue }
            // A refusal means the deployment changed under this pass (an operator, another
            // leader); the next pass looks again.
            if (try? await submit(.updateDeployment(update))) != nil { acted[deployment.id] = verdict }
        }
        return acted
    }

    /// The change that fails a deployment: with `auto_revert`, the job also goes back to its
    /// newest stable version (as a new version), unless the job has moved on since.
    func failure(of deployment: Deployment, because reason: String, in store: StateStore, now: Timestamp) -> DeploymentUpdate {
        var description = reason
        var revert: JobSpec?
        var evaluations: [Evaluation] = []
        let current = store.job(namespace: deployment.namespace, id: deployment.jobID)
        if deployment.taskGroups.values.contains(where: \.autoRevert), let current, current.version == deployment.jobVersion {
            if let stable = store.jobVersions(namespace: deployment.namespace, id: deployment.jobID)
                .first(where: { $0.stable && $0.version < deployment.jobVersion })
            {
                revert = stable.spec
                evaluations.append(newEvaluation(for: stable.spec, trigger: .deploymentWatcher, now: now))
                description += " - rolling back to job version \(stable.version)"
            } else {
                description += " - no stable job version to auto revert to"
            }
        }
        return DeploymentUpdate(
            deploymentID: deployment.id, status: .failed, statusDescription: description, revertTo: revert,
            evaluations: evaluations, time: now)
    }

    // MARK: Operator actions

    /// The deployment `idOrPrefix` names (a full ID or a unique prefix).
    func deployment(_ idOrPrefix: String) async throws(ManagerError) -> Deployment {
        let store = try await snapshot(stale: false)
        do {
            return try store.deployment(idPrefix: idOrPrefix)
        } catch {
            switch error {
            case .notFound: throw .notFound("deployment \"\(idOrPrefix)\" not found; list them with \"roost deployment list\"")
            case .ambiguous: throw .ambiguous("\(error)")
            }
        }
    }

    /// Promotes the canaries of `groups` (every group still waiting when nil): the rest of the
    /// roll-out then proceeds. Refused while a group's canaries are not all healthy.
    public func promoteDeployment(_ idOrPrefix: String, groups: [String]?) async throws(ManagerError) -> DeploymentActionResult {
        let deployment = try await deployment(idOrPrefix)
        let waiting = deployment.taskGroups.filter { $0.value.desiredCanaries > 0 && !$0.value.promoted }.keys.sorted()
        let chosen = groups ?? waiting
        guard !chosen.isEmpty else {
            throw .invalid("deployment \(deployment.id.short) has no canaries waiting for promotion")
        }
        for name in chosen where deployment.taskGroups[name] == nil {
            throw .invalid("deployment \(deployment.id.short) has no group \"\(name)\"; its groups: \(deployment.taskGroups.keys.sorted().joined(separator: ", "))")
        }
        return try await act(on: deployment) { now, job in
            DeploymentUpdate(
                deploymentID: deployment.id, statusDescription: DeploymentStatus.running.defaultDescription,
                promoteGroups: chosen, evaluations: job.map { [self.newEvaluation(for: $0.spec, trigger: .deploymentWatcher, now: now)] } ?? [],
                time: now)
        }
    }

    /// Marks a running deployment failed (and reverts the job when its groups ask for it).
    public func failDeployment(_ idOrPrefix: String) async throws(ManagerError) -> DeploymentActionResult {
        let deployment = try await deployment(idOrPrefix)
        let store = await state.snapshot
        return try await act(on: deployment) { now, _ in
            self.failure(of: deployment, because: "Deployment marked as failed", in: store, now: now)
        }
    }

    /// Pauses (no further replacements or canaries) or resumes a deployment. Resuming gives
    /// every group a fresh progress deadline: the pause was not the allocations' fault.
    public func pauseDeployment(_ idOrPrefix: String, pause: Bool) async throws(ManagerError) -> DeploymentActionResult {
        let deployment = try await deployment(idOrPrefix)
        return try await act(on: deployment) { now, job in
            pause
                ? DeploymentUpdate(deploymentID: deployment.id, status: .paused, time: now)
                : DeploymentUpdate(
                    deploymentID: deployment.id, status: .running,
                    statusDescription: deployment.requiresPromotion && !deployment.taskGroups.values.contains(where: \.autoPromote)
                        ? "Deployment is running but requires manual promotion" : nil,
                    resetProgressDeadlines: true,
                    evaluations: job.map { [self.newEvaluation(for: $0.spec, trigger: .deploymentWatcher, now: now)] } ?? [], time: now)
        }
    }

    /// An operator's health verdicts for allocations of a deployment whose groups use
    /// `health_check = "manual"` (nothing else decides their health). Each verdict is recorded
    /// as the allocation's deployment health, exactly as a worker's would be, so the watcher
    /// then rolls on, succeeds, or fails (and auto-reverts) as with automatic checks. Allocation
    /// IDs may be unique prefixes among the deployment's allocations.
    public func setAllocationHealth(
        _ idOrPrefix: String, healthy: [String], unhealthy: [String]
    ) async throws(ManagerError) -> DeploymentActionResult {
        guard !healthy.isEmpty || !unhealthy.isEmpty else {
            throw .invalid("no allocations given: name at least one healthy or unhealthy allocation of the deployment")
        }
        let deployment = try await deployment(idOrPrefix)
        guard deployment.isActive else {
            throw .invalid(
                "deployment \(deployment.id.short) has already ended (\(deployment.status.rawValue)); health can only be set while it runs")
        }
        let store = await state.snapshot
        let own = store.allocations(namespace: deployment.namespace, jobID: deployment.jobID).filter { $0.deploymentID == deployment.id }
        func resolve(_ given: String) throws(ManagerError) -> Allocation {
            let prefix = given.lowercased()
            let matches = prefix.isEmpty ? [] : own.filter { $0.id.uuid.hasPrefix(prefix) }
            guard matches.count <= 1 else {
                throw .ambiguous("allocation prefix \"\(given)\" matches \(matches.count) allocations of deployment \(deployment.id.short); type more of the ID")
            }
            guard let allocation = matches.first else {
                throw .invalid(
                    "allocation \"\(given)\" is not part of deployment \(deployment.id.short) (job \(deployment.jobID) version \(deployment.jobVersion)); "
                        + "list the deployment's allocations with \"roost deployment status \(deployment.id.short)\"")
            }
            guard let check = allocation.group?.update?.healthCheck, check == .manual else {
                throw .invalid(
                    "allocation \(allocation.id.short) belongs to group \"\(allocation.groupName)\", whose health is decided by "
                        + "\((allocation.group?.update?.healthCheck ?? .checks).rawValue); only groups with health_check = \"manual\" take verdicts")
            }
            guard !allocation.isTerminal else {
                throw .invalid("allocation \(allocation.id.short) has already stopped (\(allocation.clientStatus.rawValue)); it can no longer be judged")
            }
            return allocation
        }
        var verdicts: [AllocationID: (Allocation, Bool)] = [:]
        for (names, verdict) in [(healthy, true), (unhealthy, false)] {
            for name in names {
                let allocation = try resolve(name)
                if let earlier = verdicts[allocation.id], earlier.1 != verdict {
                    throw .invalid("allocation \(allocation.id.short) is listed as both healthy and unhealthy; give one verdict")
                }
                verdicts[allocation.id] = (allocation, verdict)
            }
        }
        let now = clock()
        // Only the verdict applies (`healthOnly`): a worker report that lands between this read
        // and the commit keeps its status and task states. The worker's fields are sent too, as
        // they were read, for managers of older builds, which apply them whole.
        let updates = verdicts.keys.sorted().compactMap { id -> ClientAllocationUpdate? in
            guard let (allocation, healthy) = verdicts[id] else { return nil }
            return ClientAllocationUpdate(
                id: id, clientStatus: allocation.clientStatus, clientDescription: allocation.clientDescription,
                taskStates: allocation.taskStates,
                deploymentStatus: AllocationDeploymentStatus(
                    healthy: healthy, timestamp: now, description: healthy ? "" : "marked unhealthy by an operator"),
                healthOnly: true)
        }
        let outcome = try await submit(.updateAllocations(updates, evaluations: [], time: now))
        return DeploymentActionResult(evaluationID: nil, index: outcome.index, revertedJobVersion: nil)
    }

    private func act(
        on deployment: Deployment, _ make: (Timestamp, JobRecord?) -> DeploymentUpdate
    ) async throws(ManagerError) -> DeploymentActionResult {
        let job = await state.snapshot.job(namespace: deployment.namespace, id: deployment.jobID)
        let update = make(clock(), job)
        let outcome = try await submit(.updateDeployment(update))
        let reverted = update.revertTo == nil ? nil : await state.snapshot.job(namespace: deployment.namespace, id: deployment.jobID)?.version
        return DeploymentActionResult(
            evaluationID: update.evaluations.first?.id, index: outcome.index, revertedJobVersion: reverted)
    }

    /// `job revert`: registers version `version` of the job again, as its newest version.
    public func revertJob(namespace: String, jobID: String, to version: UInt64) async throws(ManagerError) -> JobRegistration {
        let store = try await snapshot(stale: false)
        guard let current = store.job(namespace: namespace, id: jobID) else {
            throw .notFound("job \"\(jobID)\" not found in namespace \"\(namespace)\"")
        }
        let versions = store.jobVersions(namespace: namespace, id: jobID)
        guard let target = versions.first(where: { $0.version == version }) else {
            let kept = versions.map { String($0.version) }.joined(separator: ", ")
            throw .notFound("job \"\(jobID)\" has no version \(version); the kept versions are \(kept) (see \"roost job history \(jobID)\")")
        }
        guard current.version != version else {
            throw .invalid("job \"\(jobID)\" is already at version \(version); pick an older one from \"roost job history \(jobID)\"")
        }
        return try await register(target.spec)
    }
}

/// What a deployment action produced, for the API's answer (Nomad's `DeploymentUpdateResponse`).
public struct DeploymentActionResult: Sendable, Hashable {
    public var evaluationID: EvaluationID?
    public var index: UInt64
    /// The job's new version when the action reverted it.
    public var revertedJobVersion: UInt64?
}
