import API
import HTTP

extension ManagerAPI {
    /// `POST|PUT /v1/job/:id/plan`, as in Nomad: the same bodies as a register, nothing changed.
    func registerJobPlanRoutes(in router: inout HTTPRouter) {
        let api = self
        router.post("/v1/job/:id/plan") { await api.answer(.jobWriteOfBody("planning jobs")) { try await api.planJob($0) }($0) }
        router.put("/v1/job/:id/plan") { await api.answer(.jobWriteOfBody("planning jobs")) { try await api.planJob($0) }($0) }
    }

    func planJob(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (job, warnings) = try writableJob(from: request, action: "planning jobs")
        let result = try await manager.planJob(job)
        let diffType = result.jobModifyIndex == 0 ? "Added" : (result.diff.isEmpty ? "None" : "Edited")
        let response = JobPlanResponse(
            annotations: .init(
                desiredTGUpdates: result.groups, preemptedAllocations: result.preempted.isEmpty ? nil : result.preempted.map(AllocationListStub.init)), failedGroupAllocations: result.failed,
            jobModifyIndex: result.jobModifyIndex, diffLines: result.diff, diffType: diffType,
            warnings: (warnings + result.warnings).joined(separator: "\n"))
        return try Self.indexed(response, index: result.jobModifyIndex)
    }
}
