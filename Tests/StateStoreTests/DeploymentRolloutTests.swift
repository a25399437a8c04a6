import ClusterModel
import Scheduler
import StateStore
import Testing

/// Rolling updates as the scheduler plans them and the store records them, without a manager:
/// every evaluation is run by hand and health is reported the way a worker reports it.
@Suite struct DeploymentRolloutTests {
    static func rollingJob(count: Int = 5, maxParallel: Int = 2, canary: Int = 0, autoPromote: Bool = false) -> JobSpec {
        var job = Fixture.job("web", count: count, memoryMiB: 64)
        job.groups[0].update = UpdateStrategy(
            maxParallel: maxParallel, healthCheck: .taskStates, minHealthyTime: .seconds(1), autoPromote: autoPromote,
            canary: canary)
        return job
    }

    static func changed(_ job: JobSpec, _ mode: String) -> JobSpec {
        var job = job
        job.groups[0].tasks[0].env["MODE"] = mode
        return job
    }

    @Test func aChangedVersionReplacesAtMostMaxParallelAllocationsAtATimeAndEndsAllOnTheNewVersion() throws {
        var harness = Harness()
        _ = harness.addNode("a")
        _ = harness.addNode("b")
        let job = Self.rollingJob()
        harness.run(job)
        harness.settleHealthy()
        let first = try #require(harness.store.latestDeployment(namespace: "default", jobID: "web"))
        #expect(first.jobVersion == 0)

        let next = Self.changed(job, "blue")
        harness.run(next)
        let deployment = try #require(harness.store.latestDeployment(namespace: "default", jobID: "web"))
        #expect(deployment.jobVersion == 1 && deployment.status == .running)
        var rounds = 0
        while harness.live().contains(where: { $0.jobVersion != 1 }) {
            rounds += 1
            try #require(rounds < 20, "the roll-out does not progress")
            let inFlight = harness.live().filter { $0.deploymentID == deployment.id && $0.deploymentStatus?.healthy != true }
            #expect(inFlight.count <= 2, "round \(rounds): \(inFlight.count) replacements in flight")
            #expect(harness.live().count >= 3, "round \(rounds): fewer than 3 allocations kept")
            // The worker reports one new allocation healthy, then the watcher's evaluation runs.
            if let pending = inFlight.first { harness.reportHealthy(pending.id) }
            harness.evaluate(next)
        }
        harness.settleHealthy()
        let live = harness.live()
        #expect(live.count == 5 && live.allSatisfy { $0.jobVersion == 1 })
        let counts = try #require(harness.store.deployment(id: deployment.id)?.taskGroups["app"])
        #expect(counts.placedAllocations == 5 && counts.healthyAllocations == 5 && counts.unhealthyAllocations == 0)
        #expect(counts.desiredTotal == 5)
    }

    @Test func theFirstEvaluationOfARollStopsOnlyMaxParallelOldAllocations() {
        var harness = Harness()
        _ = harness.addNode("a")
        let job = Self.rollingJob()
        harness.run(job)
        harness.settleHealthy()
        harness.run(Self.changed(job, "blue"))
        let stopped = harness.store.allocations(jobID: "web").filter { $0.jobVersion == 0 && $0.desiredStatus == .stop }
        #expect(stopped.count == 2)
        #expect(harness.live().filter { $0.jobVersion == 1 }.count == 2)
        // Nothing healthy yet: another evaluation replaces nothing more.
        harness.evaluate(Self.changed(job, "blue"))
        #expect(harness.live().filter { $0.jobVersion == 1 }.count == 2)
    }

    @Test func aCountChangePlacesOrStopsOnlyTheDifferenceWithoutADeployment() throws {
        var harness = Harness()
        _ = harness.addNode("a")
        var job = Self.rollingJob(count: 3)
        harness.run(job)
        harness.settleHealthy()
        let before = Set(harness.live().map(\.id))
        let deployments = harness.store.deployments(jobID: "web").count

        job.groups[0].count = 5
        harness.run(job)
        let grown = harness.live()
        #expect(grown.count == 5)
        #expect(before.isSubset(of: Set(grown.map(\.id))), "a kept allocation was replaced")
        #expect(harness.store.deployments(jobID: "web").count == deployments)

        job.groups[0].count = 2
        harness.run(job)
        let shrunk = harness.live()
        #expect(shrunk.count == 2 && shrunk.allSatisfy { before.contains($0.id) })
        #expect(harness.store.deployments(jobID: "web").count == deployments)
    }

    @Test func oneCanaryIsPlacedBesideTheOldAllocationsAndTheRestWaitForPromotion() throws {
        var harness = Harness()
        _ = harness.addNode("a")
        _ = harness.addNode("b")
        let job = Self.rollingJob(canary: 1)
        harness.run(job)
        harness.settleHealthy()
        let next = Self.changed(job, "canary")
        harness.run(next)
        let deployment = try #require(harness.store.latestDeployment(namespace: "default", jobID: "web"))
        let canaries = harness.live().filter { $0.deploymentStatus?.canary == true }
        #expect(canaries.count == 1 && canaries.first?.jobVersion == 1)
        #expect(harness.live().count == 6, "the canary runs beside all five old allocations")
        #expect(deployment.taskGroups["app"]?.placedCanaries == canaries.map(\.id))
        #expect(deployment.statusDescription.contains("manual promotion"))

        // Healthy or not, nothing else moves before promotion.
        harness.reportHealthy(canaries[0].id)
        harness.evaluate(next)
        #expect(harness.live().count == 6 && harness.live().filter { $0.jobVersion == 1 }.count == 1)

        let promoted = harness.apply(.updateDeployment(DeploymentUpdate(deploymentID: deployment.id, promoteGroups: ["app"], time: harness.now)))
        #expect((try? promoted.get()) != nil)
        harness.evaluate(next)
        let live = harness.live()
        // The canary takes its old allocation's slot; max_parallel (2) more are replaced.
        #expect(live.contains { $0.id == canaries[0].id })
        #expect(live.filter { $0.jobVersion == 0 }.count == 2, "\(live.map { ($0.index, $0.jobVersion) })")
        #expect(live.count == 5)
        var rounds = 0
        while harness.live().contains(where: { $0.jobVersion != 1 }) {
            rounds += 1
            try #require(rounds < 20)
            harness.settleHealthy()
            harness.evaluate(next)
        }
        #expect(harness.live().count == 5)
    }

    @Test func promotingIsRefusedWhileTheCanariesAreNotHealthy() throws {
        var harness = Harness()
        _ = harness.addNode("a")
        let job = Self.rollingJob(count: 2, canary: 1)
        harness.run(job)
        harness.settleHealthy()
        harness.run(Self.changed(job, "canary"))
        let deployment = try #require(harness.store.latestDeployment(namespace: "default", jobID: "web"))
        let result = harness.apply(.updateDeployment(DeploymentUpdate(deploymentID: deployment.id, promoteGroups: ["app"], time: harness.now)))
        guard case .failure(let error) = result else {
            Issue.record("promotion with an unhealthy canary was accepted")
            return
        }
        #expect(error.description.contains("0 of 1 canaries healthy"))
        #expect(harness.store.deployment(id: deployment.id)?.taskGroups["app"]?.promoted == false)
    }

    @Test func aPausedOrFailedDeploymentReplacesNothingMore() throws {
        for status in [DeploymentStatus.paused, .failed] {
            var harness = Harness()
            _ = harness.addNode("a")
            let job = Self.rollingJob(count: 4, maxParallel: 1)
            harness.run(job)
            harness.settleHealthy()
            let next = Self.changed(job, "blue")
            harness.run(next)
            let deployment = try #require(harness.store.latestDeployment(namespace: "default", jobID: "web"))
            harness.apply(.updateDeployment(DeploymentUpdate(deploymentID: deployment.id, status: status, time: harness.now)))
            harness.settleHealthy()
            harness.evaluate(next)
            harness.evaluate(next)
            #expect(harness.live().filter { $0.jobVersion == 1 }.count == 1, "\(status)")
            #expect(harness.live().count == 4)
        }
    }

    @Test func aNewerVersionCancelsTheRunningDeploymentOfTheOlderOne() throws {
        var harness = Harness()
        _ = harness.addNode("a")
        let job = Self.rollingJob(count: 3, maxParallel: 1)
        harness.run(job)
        harness.settleHealthy()
        harness.run(Self.changed(job, "blue"))
        let blue = try #require(harness.store.latestDeployment(namespace: "default", jobID: "web"))
        harness.run(Self.changed(job, "green"))
        #expect(harness.store.deployment(id: blue.id)?.status == .cancelled)
        let green = try #require(harness.store.latestDeployment(namespace: "default", jobID: "web"))
        #expect(green.jobVersion == 2 && green.status == .running)
    }

    @Test func healthCountsFollowTheWorkersVerdictsAndASnapshotKeepsThem() throws {
        var harness = Harness()
        _ = harness.addNode("a")
        harness.run(Self.rollingJob(count: 2))
        let allocations = harness.live()
        harness.reportHealthy(allocations[0].id)
        harness.reportHealthy(allocations[1].id, healthy: false)
        let deployment = try #require(harness.store.latestDeployment(namespace: "default", jobID: "web"))
        let group = try #require(deployment.taskGroups["app"])
        #expect(group.placedAllocations == 2 && group.healthyAllocations == 1 && group.unhealthyAllocations == 1)
        #expect(group.requireProgressBy == harness.now + UpdateStrategy.defaults.progressDeadline)
        let restored = StateStore(restoring: harness.store.snapshot())
        #expect(restored == harness.store)
        #expect(restored.latestDeployment(namespace: "default", jobID: "web") == deployment)
    }

    @Test func succeedingMarksTheJobVersionStable() throws {
        var harness = Harness()
        _ = harness.addNode("a")
        harness.run(Self.rollingJob(count: 1))
        let deployment = try #require(harness.store.latestDeployment(namespace: "default", jobID: "web"))
        harness.apply(.updateDeployment(DeploymentUpdate(deploymentID: deployment.id, status: .successful, markJobStable: true, time: harness.now)))
        #expect(harness.store.job(id: "web")?.stable == true)
        #expect(harness.store.jobVersions(id: "web").first?.stable == true)
        // An ended deployment cannot change status again.
        let again = harness.apply(.updateDeployment(DeploymentUpdate(deploymentID: deployment.id, status: .failed, time: harness.now)))
        #expect((try? again.get()) == nil)
    }
}

extension Harness {
    /// The job's allocations that run or will.
    func live(_ jobID: String = "web") -> [Allocation] {
        store.allocations(jobID: jobID).filter { !$0.isTerminal }
    }

    /// Registers nothing: runs one more evaluation of the job (what the watcher creates).
    mutating func evaluate(_ job: JobSpec) {
        let evaluation = evaluation(for: job, trigger: .deploymentWatcher)
        apply(.upsertEvaluations([evaluation], time: now))
        process(evaluation.id)
    }

    /// What a worker sends when an allocation's health is decided.
    mutating func reportHealthy(_ id: AllocationID, healthy: Bool = true) {
        apply(.updateAllocations(
            [ClientAllocationUpdate(
                id: id, clientStatus: .running,
                deploymentStatus: AllocationDeploymentStatus(healthy: healthy, timestamp: now))],
            evaluations: [], time: now))
    }

    /// Every live allocation running and (when it belongs to a deployment) healthy.
    mutating func settleHealthy() {
        for allocation in live() where allocation.clientStatus != .running || allocation.deploymentStatus?.healthy != true {
            reportHealthy(allocation.id)
        }
    }
}
