import ClusterSecurity
import Platform
import Synchronization

/// The calling side of one `RPCChannel`: any number of requests in flight, each waiting for
/// the response with its ID, so a long poll never holds up a heartbeat. A reader thread takes
/// responses off the channel; when the channel breaks, every waiting call fails with
/// `connectionLost` and the client stays closed (the owner makes a new one).
public final class RPCClient: Sendable {
    public let channel: RPCChannel
    private let state = Mutex(State())

    private struct State: ~Copyable {
        var nextID: UInt64 = 1
        var pending: [UInt64: CheckedContinuation<Result<[UInt8], RPCError>, Never>] = [:]
        /// IDs whose caller gave up before its continuation was registered.
        var abandoned: Set<UInt64> = []
        var failure: RPCError?
    }

    /// Takes over `channel` and starts its reader thread (which ends with the channel).
    public init(channel: RPCChannel) {
        self.channel = channel
        BlockingWork.start("roost-rpc-client") { [self] in readResponses() }
    }

    /// Dials `host:port`, runs the handshake (checking the manager against `policy`) and
    /// returns a client on the new channel. Blocking work happens on a thread of its own.
    public static func connect(
        host: String, port: Int, identity: NodeIdentity, policy: CertificatePolicy, settings: RPCSettings = RPCSettings(),
        now: @escaping @Sendable () -> Int64
    ) async throws(RPCError) -> RPCClient {
        let result: Result<RPCChannel, RPCError> = await BlockingWork.run("roost-rpc-connect") {
            let socket: Socket
            do {
                socket = try Socket.connect(host: host, port: port, timeout: settings.handshakeTimeout)
            } catch {
                return .failure(RPCError(.connectionLost, "cannot connect to the manager at \(host):\(port): \(error); check the address and that the manager runs"))
            }
            do {
                return .success(try RPCChannel.open(socket, identity: identity, policy: policy, settings: settings, now: now()))
            } catch {
                socket.close()
                return .failure(RPCError(.connectionLost, "handshake with the manager at \(host):\(port) failed: \(error)"))
            }
        }
        return RPCClient(channel: try result.get())
    }

    /// Whether the channel is gone (the client then only fails calls).
    public var isClosed: Bool { state.withLock { $0.failure != nil } }

    /// Sends a request and waits for its response, at most `timeout`.
    public func call(_ method: String, body: [UInt8], timeout: Duration) async throws(RPCError) -> [UInt8] {
        let id = try state.withLock { state throws(RPCError) -> UInt64 in
            if let failure = state.failure { throw failure }
            defer { state.nextID &+= 1 }
            return state.nextID
        }
        let result = await withTaskGroup(of: Result<[UInt8], RPCError>.self) { group in
            group.addTask { await self.response(to: id, method: method, body: body) }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .failure(RPCError(.timedOut, "no answer to \(method) from \(self.peerName) within \(timeout)"))
            }
            let first = await group.next() ?? .failure(RPCError(.connectionLost, "the call was cancelled"))
            group.cancelAll()
            return first
        }
        return try result.get()
    }

    /// Closes the channel; calls in flight fail with `connectionLost`.
    public func close() {
        fail(RPCError(.connectionLost, "the channel to \(peerName) was closed"))
        channel.finish()
    }

    private var peerName: String { channel.peer.certificate.nodeName }

    private func response(to id: UInt64, method: String, body: [UInt8]) async -> Result<[UInt8], RPCError> {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let registered = state.withLock { state -> Result<[UInt8], RPCError>? in
                    if let failure = state.failure { return .failure(failure) }
                    if state.abandoned.remove(id) != nil { return .failure(RPCError(.connectionLost, "the call was cancelled")) }
                    state.pending[id] = continuation
                    return nil
                }
                if let registered {
                    continuation.resume(returning: registered)
                    return
                }
                do {
                    try channel.send(.request(id: id, method: method, body: body))
                } catch {
                    fail(RPCError(.connectionLost, "sending \(method) to \(peerName) failed: \(error)"))
                    channel.shutdown()
                }
            }
        } onCancel: {
            let waiting = state.withLock { state -> CheckedContinuation<Result<[UInt8], RPCError>, Never>? in
                if let continuation = state.pending.removeValue(forKey: id) { return continuation }
                state.abandoned.insert(id)
                return nil
            }
            waiting?.resume(returning: .failure(RPCError(.connectionLost, "the call was cancelled")))
        }
    }

    private func readResponses() {
        while true {
            let frame: RPCFrame?
            do {
                frame = try channel.receive()
            } catch {
                fail(RPCError(.connectionLost, "the channel to \(peerName) broke: \(error)"))
                break
            }
            guard let frame else {
                fail(RPCError(.connectionLost, "\(peerName) closed the channel"))
                break
            }
            guard case .response(let id, let result) = frame else {
                fail(RPCError(.connectionLost, "\(peerName) sent a request on a client channel; closing it"))
                break
            }
            // A response nobody waits for answers a call that timed out: dropped.
            let waiting = state.withLock { state in
                state.abandoned.remove(id)
                return state.pending.removeValue(forKey: id)
            }
            waiting?.resume(returning: result)
        }
        channel.shutdown()
        channel.close()
    }

    /// Marks the client failed and wakes every waiting call.
    private func fail(_ error: RPCError) {
        let waiting = state.withLock { state in
            if state.failure == nil { state.failure = error }
            defer { state.pending.removeAll() }
            return Array(state.pending.values)
        }
        for continuation in waiting { continuation.resume(returning: .failure(error)) }
    }
}
