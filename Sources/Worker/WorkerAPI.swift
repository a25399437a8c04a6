import ClusterModel
import HTTP
import Platform
import Supervisor

/// The worker's own HTTP endpoints: task logs live on the worker's disk, so they are read
/// here (Nomad's `/v1/client/fs/logs/:alloc`), not through the managers.
public struct WorkerAPI: Sendable {
    let supervisor: Supervisor
    /// The ACL gate; nil on a dev agent, whose API is open like its manager's.
    let tokenCheck: WorkerTokenCheck?

    public init(supervisor: Supervisor, tokenCheck: WorkerTokenCheck? = nil) {
        self.supervisor = supervisor
        self.tokenCheck = tokenCheck
    }

    public func register(in router: inout HTTPRouter) {
        let api = self
        router.get("/v1/client/fs/logs/:alloc") { request in
            if let refusal = await api.tokenCheck?.refusal(of: request) { return refusal }
            return await api.logs(request)
        }
    }

    /// `?task=NAME&type=stdout|stderr&origin=start|end&offset=N&follow=true`. Without `task`,
    /// the allocation's only task (or its leader) is used. The answer is the raw bytes; with
    /// `follow` it streams until the allocation has finished and everything was sent, or the
    /// client goes away.
    func logs(_ request: HTTPRequest) async -> HTTPResponse {
        guard let allocationText = request.pathParameters["alloc"] else {
            return .error(.badRequest, "the path needs an allocation ID")
        }
        let ids = await supervisor.allocationIDs().filter { $0.uuid.hasPrefix(allocationText) }
        guard ids.count == 1, let id = ids.first else {
            return ids.isEmpty
                ? .error(.notFound, "allocation \"\(allocationText)\" is not on this node")
                : .error(.badRequest, "prefix \"\(allocationText)\" matches several allocations; type more of the ID")
        }
        let streamName = request.queryValue("type") ?? "stdout"
        guard let stream = LogStream(rawValue: streamName) else {
            return .error(.badRequest, "type must be \"stdout\" or \"stderr\", got \"\(streamName)\"")
        }
        let taskName: String
        if let given = request.queryValue("task"), !given.isEmpty {
            taskName = given
        } else {
            let names = (await supervisor.status(of: id)?.taskStates.keys).map { $0.sorted() } ?? []
            guard names.count == 1 else {
                return .error(.badRequest, "allocation \(id.short) has \(names.count) tasks (\(names.joined(separator: ", "))); name one (roost alloc logs ALLOC TASK, or ?task= in the API)")
            }
            taskName = names[0]
        }
        let reader: LogFileReader
        do {
            reader = try await supervisor.logReader(allocation: id, task: taskName, stream: stream)
        } catch {
            return .error(.notFound, error.message)
        }
        var offset: Int64 = 0
        if let offsetText = request.queryValue("offset") {
            guard let given = Int64(offsetText), given >= 0 else {
                return .error(.badRequest, "offset must be a whole number ≥ 0, got \"\(offsetText)\"")
            }
            offset = given
        }
        if request.queryValue("origin") == "end" { offset = max(0, reader.endOffset() - offset) }
        let headers: HTTPHeaders = ["Content-Type": "text/plain; charset=utf-8"]
        guard request.queryValue("follow") == "true" else {
            var body: [UInt8] = []
            while true {
                let (bytes, next) = reader.read(from: offset)
                if bytes.isEmpty { break }
                body += bytes
                offset = next
                if body.count >= 8 * LogFileReader.maximumChunk { break }
            }
            return HTTPResponse(headers: headers, body: body)
        }
        let source: AsyncStream<(bytes: [UInt8], next: Int64)>
        do {
            source = try await supervisor.followLogs(allocation: id, task: taskName, stream: stream, from: offset, untilFinished: true)
        } catch {
            return .error(.notFound, error.message)
        }
        let (output, continuation) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingOldest(16))
        // Lives while the client follows: ended when the client goes away (the server ends the
        // stream, which cancels the relay) or when the allocation finished and all was sent.
        let relay = Task {
            for await chunk in source {
                if case .terminated = continuation.yield(chunk.bytes) { return }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in relay.cancel() }
        return HTTPResponse(headers: headers, stream: output)
    }
}
