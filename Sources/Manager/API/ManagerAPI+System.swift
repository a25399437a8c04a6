import HTTP

extension ManagerAPI {
    /// `PUT /v1/system/gc`, as in Nomad: a garbage-collection pass now, purging every dead job
    /// whatever its age. Nomad answers with no body; Roost says what the pass removed
    /// (`PurgedJobs`, `Evaluations`, `Allocations`), which Nomad's clients ignore.
    func registerSystemRoutes(in router: inout HTTPRouter) {
        let api = self
        let collect: @Sendable (HTTPRequest) async -> HTTPResponse = {
            await api.answer(.management("forcing garbage collection")) { _ in
                let report = try await api.manager.forceGarbageCollection()
                return try Self.indexed(report, index: await api.manager.snapshot().latestIndex)
            }($0)
        }
        router.put("/v1/system/gc", collect)
        router.post("/v1/system/gc", collect)
    }
}
