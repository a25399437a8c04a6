import Foundation
import API
import ClusterModel
import HTTP
import Jobspec
import StateStore

extension ManagerAPI {
    func listJobs(_ request: HTTPRequest) async throws -> HTTPResponse {
        let state = try await snapshot(for: request, tables: [.jobs, .allocations, .evaluations])
        let prefix = request.queryValue("prefix") ?? ""
        let namespace = Self.namespace(of: request)
        let index = max(state.index(of: .jobs), state.index(of: .allocations), state.index(of: .evaluations))
        return try cachedIndexed("jobs|\(namespace)|\(prefix)", index: index) {
            state.jobs(namespace: namespace)
                .filter { prefix.isEmpty || $0.spec.id.hasPrefix(prefix) }
                .map { JobListStub($0, summary: state.jobSummary(namespace: $0.spec.namespace, id: $0.spec.id)) }
        }
    }

    /// `POST /v1/jobs` with either `{"Job": {…}}` (Nomad's JSON job) or `{"JobHCL": "…"}`
    /// (a job file, parsed here with the same diagnostics `roost job validate` prints).
    func registerJob(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (job, warnings) = try writableJob(from: request, action: "registering jobs")
        let registration = try await manager.register(job)
        let response = JobRegisterResponse(
            evaluationID: registration.evaluationID?.uuid ?? "", evalCreateIndex: registration.index,
            jobModifyIndex: registration.jobModifyIndex, warnings: (warnings + registration.warnings).joined(separator: "\n"),
            index: registration.index)
        return try Self.indexed(response, index: registration.index)
    }

    /// `POST /v1/jobs/parse`: a job file in, Nomad's JSON job out, nothing registered.
    func parseJob(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (job, _) = try Self.job(from: request)
        try ACLCaller.checkJobWrite(namespace: job.namespace, action: "parsing jobs", aclsEnabled: manager.aclsEnabled)
        return Self.jsonText(NomadJSON.jobObject(job, appending: []))
    }

    func readJob(_ request: HTTPRequest) async throws -> HTTPResponse {
        let state = try await consistentState(for: request)
        let record = try Self.record(request, in: state)
        return Self.jsonText(Self.jobJSON(record), index: state.index(of: .jobs))
    }

    func jobVersions(_ request: HTTPRequest) async throws -> HTTPResponse {
        let state = try await consistentState(for: request)
        let record = try Self.record(request, in: state)
        let versions = state.jobVersions(namespace: record.spec.namespace, id: record.spec.id).map(Self.jobJSON)
        return Self.jsonText("{\"Versions\":[" + versions.joined(separator: ",") + "]}")
    }

    func stopJob(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = try Self.pathID(request)
        let purge = request.queryValue("purge") == "true"
        let registration = try await manager.deregister(namespace: Self.namespace(of: request), jobID: id, purge: purge)
        let response = JobRegisterResponse(
            evaluationID: registration.evaluationID?.uuid ?? "", evalCreateIndex: registration.index,
            jobModifyIndex: registration.jobModifyIndex, index: registration.index)
        return try Self.indexed(response, index: registration.index)
    }

    func jobAllocations(_ request: HTTPRequest) async throws -> HTTPResponse {
        let state = try await snapshot(for: request, tables: [.allocations])
        let record = try Self.record(request, in: state)
        let allocations = state.allocations(namespace: record.spec.namespace, jobID: record.spec.id)
            .sorted { ($0.createIndex, $0.id) > ($1.createIndex, $1.id) }
            .map(AllocationListStub.init)
        return try Self.indexed(allocations, index: state.index(of: .allocations))
    }

    func jobEvaluations(_ request: HTTPRequest) async throws -> HTTPResponse {
        let state = try await snapshot(for: request, tables: [.evaluations])
        let record = try Self.record(request, in: state)
        let evaluations = state.evaluations(namespace: record.spec.namespace, jobID: record.spec.id)
            .sorted { ($0.createIndex, $0.id) > ($1.createIndex, $1.id) }
        return try Self.indexed(evaluations, index: state.index(of: .evaluations))
    }

    func jobSummary(_ request: HTTPRequest) async throws -> HTTPResponse {
        let state = try await snapshot(for: request, tables: [.allocations, .evaluations])
        let record = try Self.record(request, in: state)
        let summary = JobSummary(
            jobID: record.spec.id, namespace: record.spec.namespace,
            summary: state.jobSummary(namespace: record.spec.namespace, id: record.spec.id))
        return try Self.indexed(summary, index: max(state.index(of: .allocations), state.index(of: .evaluations)))
    }

    // MARK: Helpers

    static func record(_ request: HTTPRequest, in state: StateStore) throws -> JobRecord {
        let id = try pathID(request)
        guard let record = state.job(namespace: namespace(of: request), id: id) else {
            let known = state.jobs().map(\.spec.id)
            let hint = Suggestion.hint(for: id, among: known).map { " (\($0))" } ?? ""
            throw APIRequestError(.notFound, "job \"\(id)\" not found\(hint)")
        }
        return record
    }

    static func jobJSON(_ record: JobRecord) -> String {
        NomadJSON.jobObject(
            record.spec,
            appending: [
                ("Version", .integer(Int64(clamping: record.version))), ("Stop", .bool(record.stopped)),
                ("Stable", .bool(record.stable)),
                ("Status", .string(record.status.rawValue)),
                ("SubmitTime", .integer(record.submitTime.nanosecondsSinceEpoch)),
                ("CreateIndex", .integer(Int64(clamping: record.createIndex))),
                ("ModifyIndex", .integer(Int64(clamping: record.modifyIndex))),
                ("JobModifyIndex", .integer(Int64(clamping: record.jobModifyIndex))),
            ])
    }

    /// The job a write route's body holds, once the caller may write its namespace and the path
    /// (when it names a job) agrees with the body.
    func writableJob(from request: HTTPRequest, action: String) throws -> (JobSpec, [String]) {
        let (job, warnings) = try Self.job(from: request)
        try ACLCaller.checkJobWrite(namespace: job.namespace, action: action, aclsEnabled: manager.aclsEnabled)
        if let pathID = request.pathParameters["id"], pathID != job.id {
            throw APIRequestError(.badRequest, "the path names job \"\(pathID)\" but the body is job \"\(job.id)\"")
        }
        return (job, warnings)
    }

    /// The job a register or parse request carries, with the reader's warnings.
    static func job(from request: HTTPRequest) throws -> (JobSpec, [String]) {
        guard !request.body.isEmpty else {
            throw APIRequestError(.badRequest, #"the body is empty: send {"Job": {…}} (Nomad's JSON job) or {"JobHCL": "…"} (a job file)"#)
        }
        if let wrapper = try hclRequest(from: request.body), let hcl = wrapper.jobHCL {
            let source = SourceFile(name: wrapper.filename ?? "job.hcl", text: hcl)
            let variables = (wrapper.variables ?? [:]).mapValues { VariableInput.raw($0) }
            let file = JobFile.load(source, variables: variables)
            guard let job = file.job, !file.hasErrors else {
                let rendered = file.diagnostics.filter { $0.severity == .error }.map { $0.rendered(in: source) }
                let count = rendered.count
                throw APIRequestError(
                    .badRequest, "\(source.name) has \(count) error\(count == 1 ? "" : "s"); the first: \(file.diagnostics.first { $0.severity == .error }?.message ?? "")",
                    diagnostics: rendered)
            }
            let warnings = file.diagnostics.filter { $0.severity != .error }.map { $0.rendered(in: source) }
            return (job, warnings)
        }
        switch NomadJSONReader.decodeJob(String(decoding: request.body, as: UTF8.self)) {
        case .success(let job): return (job, [])
        case .failure(let error): throw APIRequestError(.badRequest, error.description)
        }
    }

    /// The `{"JobHCL": …}` form, or nil when the body is the other form (`{"Job": …}`). Variable
    /// values may be strings, numbers or booleans (read as the text `-var` would give);
    /// anything else is an error naming the variable, not a fall-through to the other form.
    static func hclRequest(from body: [UInt8]) throws -> JobRegisterRequest? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else { return nil }
        func field(_ name: String) -> Any? { object.first { $0.key.lowercased() == name.lowercased() }?.value }
        guard let hclValue = field("JobHCL") else { return nil }
        guard let hcl = hclValue as? String else { throw APIRequestError(.badRequest, "JobHCL: expected the job file as a string") }
        let filename = field("Filename") as? String
        var variables: [String: String] = [:]
        if let given = field("Variables"), !(given is NSNull) {
            guard let map = given as? [String: Any] else {
                throw APIRequestError(.badRequest, #"Variables: expected an object such as {"replicas": "3"}"#)
            }
            for (name, value) in map {
                switch value {
                case let text as String: variables[name] = text
                // JSON booleans arrive as a distinct NSNumber subclass; numbers as plain NSNumber.
                case let number as NSNumber where String(describing: type(of: number)).contains("Boolean"):
                    variables[name] = number.boolValue ? "true" : "false"
                case let number as NSNumber: variables[name] = number.stringValue
                default: throw APIRequestError(.badRequest, "Variables.\(name): expected a string, number or boolean")
                }
            }
        }
        return JobRegisterRequest(jobHCL: hcl, filename: filename ?? "job.hcl", variables: variables)
    }
}
