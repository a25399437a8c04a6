import Foundation
import Jobspec
import API
import ClusterModel
import HTTP
import StateStore

extension ManagerAPI {
    func listAllocations(_ request: HTTPRequest) async throws -> HTTPResponse {
        let state = try await snapshot(for: request, tables: [.allocations])
        let prefix = request.queryValue("prefix") ?? ""
        return try cachedIndexed("allocations|\(prefix)", index: state.index(of: .allocations)) {
            state.allAllocations()
                .filter { prefix.isEmpty || $0.id.uuid.hasPrefix(prefix) }
                .sorted { ($0.createIndex, $0.id) > ($1.createIndex, $1.id) }
                .map(AllocationListStub.init)
        }
    }

    /// Accepts a full ID or any unique prefix, as the CLI's short IDs are prefixes.
    func readAllocation(_ request: HTTPRequest) async throws -> HTTPResponse {
        let state = try await consistentState(for: request)
        let id = try Self.pathID(request)
        let allocation: Allocation
        do {
            allocation = try state.allocation(idPrefix: id)
        } catch {
            throw Self.lookupFailure(error)
        }
        return Self.jsonText(try Self.allocationJSON(allocation), index: state.index(of: .allocations))
    }

    /// An allocation as Nomad shows one: its fields with Nomad's names, and its `Job` in the
    /// same shape as `GET /v1/job/:id` (durations in nanoseconds, `TaskGroups`), not in the
    /// shape the state stores it.
    static func allocationJSON(_ allocation: Allocation) throws -> String {
        let fields = try JSONSerialization.jsonObject(with: Data(try APIJSON.encode(allocation)))
        let job = try JSONSerialization.jsonObject(with: Data(NomadJSON.jobObject(allocation.job, appending: []).utf8))
        guard var object = fields as? [String: Any] else { return "{}" }
        object["Job"] = job
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    func listEvaluations(_ request: HTTPRequest) async throws -> HTTPResponse {
        let state = try await snapshot(for: request, tables: [.evaluations])
        let prefix = request.queryValue("prefix") ?? ""
        var evaluations: [Evaluation] = []
        for status in EvaluationStatus.allCases { evaluations += state.evaluations(status: status) }
        let matching = evaluations.filter { prefix.isEmpty || $0.id.uuid.hasPrefix(prefix) }
            .sorted { ($0.createIndex, $0.id) > ($1.createIndex, $1.id) }
        return try Self.indexed(matching, index: state.index(of: .evaluations))
    }

    func readEvaluation(_ request: HTTPRequest) async throws -> HTTPResponse {
        let state = try await consistentState(for: request)
        do {
            return try Self.indexed(try state.evaluation(idPrefix: try Self.pathID(request)), index: state.index(of: .evaluations))
        } catch let error as LookupError {
            throw Self.lookupFailure(error)
        }
    }

    func listNodes(_ request: HTTPRequest) async throws -> HTTPResponse {
        let state = try await snapshot(for: request, tables: [.nodes])
        let prefix = request.queryValue("prefix") ?? ""
        let stubs = state.allNodes().filter { prefix.isEmpty || $0.id.uuid.hasPrefix(prefix) }
            .sorted { $0.name < $1.name }.map(NodeListStub.init)
        return try Self.indexed(stubs, index: state.index(of: .nodes))
    }

    func readNode(_ request: HTTPRequest) async throws -> HTTPResponse {
        let state = try await consistentState(for: request)
        do {
            return try Self.indexed(try state.node(idPrefix: try Self.pathID(request)), index: state.index(of: .nodes))
        } catch let error as LookupError {
            throw Self.lookupFailure(error)
        }
    }

    /// This agent's own view, served without a leader (it is what one asks when the cluster
    /// is unwell): its configuration, what its state holds, and its Raft role and indexes.
    func agentSelf(_ request: HTTPRequest) async throws -> HTTPResponse {
        let state = await manager.snapshot()
        var stats = agentInfo.merging(await manager.raftStatus()) { $1 }
        stats["jobs"] = String(state.jobs().count)
        stats["nodes"] = String(state.allNodes().count)
        stats["allocations"] = String(state.allAllocations().count)
        stats["last_index"] = String(state.latestIndex)
        return try Self.indexed(["Config": agentInfo, "Stats": stats], index: state.latestIndex)
    }

    static func lookupFailure(_ error: any Error) -> APIRequestError {
        guard let lookup = error as? LookupError else { return APIRequestError(.internalServerError, "\(error)") }
        switch lookup {
        case .notFound: return APIRequestError(.notFound, lookup.description)
        case .ambiguous: return APIRequestError(.badRequest, lookup.description + "; type more of the ID")
        }
    }
}
