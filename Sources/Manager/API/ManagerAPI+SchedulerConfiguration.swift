import API
import HTTP
import Scheduler

/// `GET /v1/operator/scheduler/configuration`'s answer, in Nomad's shape.
struct SchedulerConfigurationResponse: Sendable, Hashable, Codable {
    var schedulerConfig: SchedulerConfiguration
    var index: UInt64
}

/// `PUT /v1/operator/scheduler/configuration`'s answer, in Nomad's shape.
struct SchedulerConfigurationUpdateResponse: Sendable, Hashable, Codable {
    var updated: Bool
    var index: UInt64
}

extension ManagerAPI {
    /// Nomad's scheduler configuration endpoints: read with operator read access, change with
    /// a management token (it decides whose work may be stopped).
    func registerSchedulerConfigurationRoutes(in router: inout HTTPRouter) {
        let api = self
        router.get("/v1/operator/scheduler/configuration") {
            await api.answer(.operatorRead("reading the scheduler configuration")) { _ in try await api.readSchedulerConfiguration() }($0)
        }
        for method in [HTTPMethod.post, .put] {
            router.add(method, "/v1/operator/scheduler/configuration") {
                await api.answer(.management("changing the scheduler configuration")) { try await api.writeSchedulerConfiguration($0) }($0)
            }
        }
    }

    func readSchedulerConfiguration() async throws -> HTTPResponse {
        let configuration = try await manager.schedulerConfiguration()
        return try Self.indexed(
            SchedulerConfigurationResponse(schedulerConfig: configuration, index: configuration.modifyIndex), index: configuration.modifyIndex)
    }

    /// Body: `{"PreemptionConfig": {"ServiceSchedulerEnabled": true, …}}`; a switch left out
    /// keeps its default (system on, the others off), not its current value, as in Nomad.
    func writeSchedulerConfiguration(_ request: HTTPRequest) async throws -> HTTPResponse {
        let configuration: SchedulerConfiguration
        do {
            configuration = try APIJSON.decode(SchedulerConfiguration.self, from: request.body)
        } catch {
            throw APIRequestError(
                .badRequest,
                #"the body must be {"PreemptionConfig": {"SystemSchedulerEnabled": true, "SysBatchSchedulerEnabled": false, "BatchSchedulerEnabled": false, "ServiceSchedulerEnabled": false}}: "#
                    + "\(error)")
        }
        let index = try await manager.setSchedulerConfiguration(configuration)
        return try Self.indexed(SchedulerConfigurationUpdateResponse(updated: true, index: index), index: index)
    }
}
