import ClusterModel
import Foundation
import HTTP
@testable import Manager
import StateStore
import Testing

/// `health_check = "manual"`: nothing but the operator's verdicts (`PUT
/// /v1/deployment/allocation-health/:id`) decides an allocation's health, and the deployment
/// watcher then acts on them exactly as on a worker's.
@Suite struct DeploymentManualHealthTests {
    static func job(mode: String = "v0", healthCheck: UpdateStrategy.HealthCheck = .manual, id: String = "web") -> JobSpec {
        var job = ManagerServerTests.job(id, count: 2, memoryMiB: 32)
        job.groups[0].tasks[0].env["MODE"] = mode
        job.groups[0].update = UpdateStrategy(
            maxParallel: 1, healthCheck: healthCheck, minHealthyTime: .seconds(1), progressDeadline: .seconds(600), autoRevert: true)
        return job
    }

    static func live(_ jobID: String = "web", in state: StateStore) -> [Allocation] {
        state.allocations(jobID: jobID).filter { !$0.isTerminal }
    }

    /// What a worker does for a manual group: reports the tasks running, and no verdict.
    static func reportRunning(_ jobID: String = "web", on manager: ManagerServer) async throws {
        let state = await manager.snapshot()
        try await manager.updateAllocations(
            live(jobID, in: state).filter { $0.clientStatus == .pending }.map { ClientAllocationUpdate(id: $0.id, clientStatus: .running) })
    }

    static func manager() async throws -> ManagerServer {
        let clock = PeriodicTestClock(DeploymentWatcherTests.start)
        let manager = ManagerServer(clock: clock.read)
        await manager.start()
        try await manager.registerNode(ManagerServerTests.node("w1", memoryMiB: 8192))
        return manager
    }

    /// Marks every live allocation of the job's newest deployment without a verdict as `healthy`
    /// through the HTTP API, by 8-character prefix as the CLI would send them.
    static func judge(_ manager: ManagerServer, healthy: Bool, jobID: String = "web") async throws -> HTTPResponse? {
        let state = await manager.snapshot()
        guard let deployment = state.latestDeployment(namespace: "default", jobID: jobID) else { return nil }
        let waiting = live(jobID, in: state).filter { $0.deploymentID == deployment.id && $0.deploymentStatus?.healthy == nil }
        guard !waiting.isEmpty else { return nil }
        let body: [String: Any] = [
            "DeploymentID": deployment.id.uuid,
            healthy ? "HealthyAllocationIDs" : "UnhealthyAllocationIDs": waiting.map(\.id.short),
        ]
        let bytes = try JSONSerialization.data(withJSONObject: body)
        return await ManagerAPITests.router(manager).route(
            HTTPRequest(method: .put, target: "/v1/deployment/allocation-health/\(deployment.id.uuid)", body: Array(bytes)))
    }

    /// Version 0 placed, running, judged healthy by the operator, and stable.
    static func stable() async throws -> ManagerServer {
        let manager = try await manager()
        _ = try await manager.register(job())
        _ = try await ManagerServerTests.state(of: manager, "two allocations") { live(in: $0).count == 2 }
        try await reportRunning(on: manager)
        let response = try await judge(manager, healthy: true)
        #expect(response?.status == .ok, "\(String(decoding: response?.bodyBytes ?? [], as: UTF8.self))")
        _ = try await ManagerServerTests.state(of: manager, "version 0 stable") { $0.job(id: "web")?.stable == true }
        return manager
    }

    @Test func aManualGroupMakesNoProgressWithoutAVerdictAndRollsOnOnceMarkedHealthy() async throws {
        let manager = try await Self.stable()
        _ = try await manager.register(Self.job(mode: "v1"))
        _ = try await ManagerServerTests.state(of: manager, "the first version 1 allocation") { state in
            Self.live(in: state).contains { $0.jobVersion == 1 }
        }
        try await Self.reportRunning(on: manager)
        // Running tasks are not a verdict: however often the watcher looks, nothing moves.
        for _ in 0..<3 { await manager.watchDeployments() }
        let waiting = await manager.snapshot()
        let deployment = try #require(waiting.latestDeployment(namespace: "default", jobID: "web"))
        #expect(deployment.jobVersion == 1 && deployment.status == .running)
        #expect(Self.live(in: waiting).filter { $0.jobVersion == 1 }.count == 1, "max_parallel 1 waits for the first verdict")

        let done = try await ManagerServerTests.state(of: manager, "the version 1 deployment succeeded") { state in
            if state.latestDeployment(namespace: "default", jobID: "web")?.status == .successful { return true }
            // The test plays the operator: whatever runs gets a healthy verdict.
            Task {
                try? await Self.reportRunning(on: manager)
                _ = try? await Self.judge(manager, healthy: true)
            }
            return false
        }
        #expect(Self.live(in: done).count == 2 && Self.live(in: done).allSatisfy { $0.jobVersion == 1 })
        await manager.shutDown()
    }

    @Test func anUnhealthyVerdictFailsTheDeploymentAndAutoRevertReturnsToTheStableVersion() async throws {
        let manager = try await Self.stable()
        _ = try await manager.register(Self.job(mode: "broken"))
        _ = try await ManagerServerTests.state(of: manager, "a version 1 allocation") { state in
            Self.live(in: state).contains { $0.jobVersion == 1 }
        }
        try await Self.reportRunning(on: manager)
        let response = try await Self.judge(manager, healthy: false)
        #expect(response?.status == .ok)
        let reverted = try await ManagerServerTests.state(of: manager, "the job back at version 0's spec") { state in
            state.deployments(jobID: "web").contains { $0.jobVersion == 1 && $0.status == .failed }
                && state.job(id: "web")?.version == 2
        }
        #expect(reverted.job(id: "web")?.spec.groups[0].tasks[0].env["MODE"] == "v0")
        let failed = reverted.deployments(jobID: "web").first { $0.jobVersion == 1 }
        #expect(failed?.statusDescription.contains("marked unhealthy by an operator") == true, "\(failed?.statusDescription ?? "")")
        await manager.shutDown()
    }

    @Test func verdictsAreRefusedForAnotherDeploymentsAllocationsAndForGroupsNotOnManualHealth() async throws {
        let manager = try await Self.stable()
        let versionZero = try #require(Self.live(in: await manager.snapshot()).first)
        _ = try await manager.register(Self.job(mode: "v1"))
        let state = try await ManagerServerTests.state(of: manager, "the version 1 deployment") { state in
            state.latestDeployment(namespace: "default", jobID: "web")?.jobVersion == 1
        }
        let current = try #require(state.latestDeployment(namespace: "default", jobID: "web"))
        do {
            _ = try await manager.setAllocationHealth(current.id.uuid, healthy: [versionZero.id.uuid], unhealthy: [])
            Issue.record("a verdict for another deployment's allocation was accepted")
        } catch {
            #expect("\(error)".contains("is not part of deployment \(current.id.short)"), "\(error)")
        }
        let ended = try #require(state.deployments(jobID: "web").first { $0.jobVersion == 0 })
        do {
            _ = try await manager.setAllocationHealth(ended.id.uuid, healthy: [versionZero.id.uuid], unhealthy: [])
            Issue.record("a verdict for an ended deployment was accepted")
        } catch {
            #expect("\(error)".contains("has already ended"), "\(error)")
        }

        _ = try await manager.register(Self.job(healthCheck: .taskStates, id: "api"))
        let automatic = try await ManagerServerTests.state(of: manager, "the api job's allocations") { state in
            Self.live("api", in: state).count == 2 && state.latestDeployment(namespace: "default", jobID: "api") != nil
        }
        let apiDeployment = try #require(automatic.latestDeployment(namespace: "default", jobID: "api"))
        let apiAllocation = try #require(Self.live("api", in: automatic).first)
        let body = try JSONSerialization.data(withJSONObject: ["HealthyAllocationIDs": [apiAllocation.id.uuid]])
        let response = await ManagerAPITests.router(manager).route(
            HTTPRequest(method: .put, target: "/v1/deployment/allocation-health/\(apiDeployment.id.uuid)", body: Array(body)))
        #expect(response.status == .badRequest)
        #expect(String(decoding: response.bodyBytes ?? [], as: UTF8.self).contains(#"only groups with health_check = \"manual\" take verdicts"#))
        await manager.shutDown()
    }
}
