import Synchronization

extension RPCChannel {
    /// Serves requests from the peer until it closes the channel or the channel breaks: each
    /// request runs as its own child task (so a long poll does not hold up a heartbeat), and
    /// its response goes back with its ID. Beyond `maxConcurrentRequests` in flight a request
    /// is answered `overloaded` at once instead of being queued without bound.
    ///
    /// Returns when the channel is done and every handler has finished; the channel is closed
    /// by then. `handler` answers with a body or an `RPCError`.
    public func serve(_ handler: @escaping @Sendable (_ method: String, _ body: [UInt8]) async -> Result<[UInt8], RPCError>) async {
        let (requests, continuation) = AsyncStream.makeStream(of: (id: UInt64, method: String, body: [UInt8]).self)
        let inFlight = InFlightCount()
        let limit = settings.maxConcurrentRequests
        // The reader thread ends when the channel does (end of stream, error, or `shutdown`).
        BlockingWork.start("roost-rpc-serve") { [self] in
            defer { continuation.finish() }
            while true {
                guard let frame = try? receive() else { return }
                guard case .request(let id, let method, let body) = frame else { return }
                let admitted = inFlight.admit(limit: limit)
                if admitted {
                    continuation.yield((id, method, body))
                } else {
                    let refusal = RPCError(.overloaded, "\(limit) requests are already in flight on this channel; retry shortly")
                    guard (try? send(.response(id: id, result: .failure(refusal)))) != nil else { return }
                }
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for await request in requests {
                group.addTask {
                    let result = await handler(request.method, request.body)
                    inFlight.release()
                    do {
                        try self.send(.response(id: request.id, result: Self.fitting(result, limit: self.settings.maxFrameSize)))
                    } catch {
                        // The peer is gone or stuck: end the channel, which ends the reader.
                        self.shutdown()
                    }
                }
            }
            // The channel is over: answers still being prepared have nowhere to go.
            group.cancelAll()
        }
        finish()
        close()
    }

    /// A body too large for one frame becomes an error the caller can act on, rather than a
    /// send that fails and takes the channel down.
    static func fitting(_ result: Result<[UInt8], RPCError>, limit: Int) -> Result<[UInt8], RPCError> {
        guard case .success(let body) = result, body.count > limit - 64 else { return result }
        return .failure(RPCError(.internalError, "the answer is \(body.count) bytes, over the channel's frame limit of \(limit); raise RPCSettings.maxFrameSize on both sides"))
    }
}

/// Requests of one channel being handled now, shared by its reader thread and its handlers.
private final class InFlightCount: Sendable {
    private let count = Mutex(0)

    func admit(limit: Int) -> Bool {
        count.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func release() { count.withLock { $0 -= 1 } }
}
