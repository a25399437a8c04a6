import ClusterModel
import Scheduler
import StateStore

/// The periodic launcher: the leader turns each periodic job's schedule into child jobs. It
/// keeps no state of its own — what was launched is in the replicated launch table — so a new
/// leader carries on exactly where the last one stopped.
extension ManagerServer {
    /// How often the leader looks for due launches. Launches happen within this of their time
    /// (cron's resolution is a minute; seconds-schedules are rarely finer than this).
    static let periodicCheckInterval: Duration = .milliseconds(500)

    /// The launcher's loop, started with the manager's other background work.
    func startPeriodicLauncher() -> Task<Void, Never> {
        Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.periodicCheckInterval)
                await self?.launchDuePeriodicJobs()
            }
        }
    }

    /// Launches every periodic job whose schedule came due since its last launch (at the
    /// manager's clock), when this manager leads. A job that missed several times (no leader,
    /// or a new job) gets one launch, for the most recent time, as in Nomad. Returns the IDs of
    /// the children this call registered.
    @discardableResult
    func launchDuePeriodicJobs() async -> [String] {
        guard leads, !isShutDown else { return [] }
        let now = clock()
        let (store, table) = state.machine.storeAndPeriodicLaunches
        var launched: [String] = []
        for record in store.jobs() {
            guard let periodic = record.spec.periodic, periodic.enabled, !record.stopped,
                  let schedule = try? CronSchedule(parsing: periodic.specs),
                  let zone = PeriodicTimeZone.zone(named: periodic.timeZone)
            else { continue }
            let last = table.entry(namespace: record.spec.namespace, jobID: record.spec.id)?.lastScheduled
            let since = max(last ?? record.submitTime, record.submitTime)
            guard let due = schedule.latest(after: since.unixSeconds, upTo: now.unixSeconds, in: zone) else { continue }
            let dueTime = Timestamp(unixSeconds: due)
            var launch = makePeriodicLaunch(of: record.spec, at: dueTime, scheduled: true, now: now)
            let forcedThatSecond = launch.child.map { store.job(namespace: $0.namespace, id: $0.id) != nil } ?? false
            if forcedThatSecond || (periodic.prohibitOverlap && store.hasActivePeriodicChild(of: record.spec)) {
                // Recorded as handled, so the skipped time is not launched late when the child
                // ends (nor proposed again and again when a force already made its child).
                launch.child = nil
                launch.evaluation = nil
            }
            // A refusal means another leader (or an earlier call) already handled this time.
            guard (try? await submitPeriodicLaunch(launch)) != nil, let child = launch.child else { continue }
            launched.append(child.id)
        }
        return launched
    }

    /// `job periodic force`: launches a child now, off the schedule (which it does not move),
    /// whatever `prohibit_overlap` says.
    public func forcePeriodicLaunch(namespace: String, jobID: String) async throws(ManagerError) -> JobRegistration {
        let snapshot = await state.snapshot
        guard let record = snapshot.job(namespace: namespace, id: jobID) else {
            throw .notFound("job \"\(jobID)\" not found in namespace \"\(namespace)\"")
        }
        guard record.spec.periodic != nil else {
            throw .invalid("job \"\(jobID)\" is not periodic: only jobs with a `periodic` block can be forced (use `roost job run` for others)")
        }
        let launch = makePeriodicLaunch(of: record.spec, at: clock(), scheduled: false, now: clock())
        let outcome = try await submitPeriodicLaunch(launch)
        let child = await state.snapshot.job(namespace: namespace, id: launch.child?.id ?? "")
        return JobRegistration(evaluationID: launch.evaluation?.id, index: outcome.index, jobModifyIndex: child?.jobModifyIndex ?? outcome.index)
    }

    /// A launch of `parent` for `time`: the child is the parent without its periodic block,
    /// named `<parent>/periodic-<unix seconds>`, with an evaluation to place it.
    func makePeriodicLaunch(of parent: JobSpec, at time: Timestamp, scheduled: Bool, now: Timestamp) -> PeriodicLaunch {
        var child = parent
        child.id = PeriodicLaunch.childID(parent: parent.id, at: time)
        child.name = child.id
        child.periodic = nil
        child.parentID = parent.id
        return PeriodicLaunch(
            parentNamespace: parent.namespace, parentID: parent.id, child: child,
            evaluation: newEvaluation(for: child, trigger: .periodicJob, now: now),
            scheduledTime: scheduled ? time : nil, launchTime: now)
    }

    /// Replicates a launch and, where this manager applied it as the leader, hands its
    /// evaluation to the broker.
    @discardableResult
    func submitPeriodicLaunch(_ launch: PeriodicLaunch) async throws(ManagerError) -> ApplyOutcome {
        let (outcome, appliedAsLeader) = try await replicate(.periodicLaunch(launch))
        if appliedAsLeader { await followUp(on: launch) }
        return outcome
    }

    /// The broker's part after a launch, as for any registration.
    func followUp(on launch: PeriodicLaunch) async {
        guard let child = launch.child else { return }
        await followUp(on: .registerJob(child, evaluation: launch.evaluation, submitTime: launch.launchTime))
    }

    /// The periodic jobs' launch records, for `job status` and tests.
    func periodicLaunchEntry(namespace: String, jobID: String) -> PeriodicLaunchTable.Entry? {
        state.machine.periodicLaunches.entry(namespace: namespace, jobID: jobID)
    }
}

extension StateStore {
    /// The children a periodic job launched, newest first.
    func periodicChildren(of parent: JobSpec) -> [JobRecord] {
        jobs(namespace: parent.namespace).filter { $0.spec.parentID == parent.id }.sorted { $0.createIndex > $1.createIndex }
    }

    /// Whether a child of `parent` still runs (or waits to): what `prohibit_overlap` looks at.
    func hasActivePeriodicChild(of parent: JobSpec) -> Bool {
        periodicChildren(of: parent).contains { !$0.stopped && $0.status != .dead }
    }
}
