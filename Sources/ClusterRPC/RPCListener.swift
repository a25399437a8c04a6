import ClusterSecurity
import Foundation
import Platform
import Synchronization

/// Accepts worker RPC connections on a port of its own: the responder handshake on a thread
/// per connection (bounded), then the established channel goes to `onChannel`. Managers whose
/// RPC port diverts worker connections (the join work) call the service directly instead;
/// this listener serves a manager without that, and the tests.
///
/// `policy` is read for every connection, so a revocation takes effect on the next one.
public final class RPCListener: Sendable {
    public let port: Int
    private let listener: Listener
    private let identity: @Sendable () -> NodeIdentity
    private let policy: @Sendable () -> CertificatePolicy
    private let now: @Sendable () -> Int64
    private let settings: RPCSettings
    private let maxConnections: Int
    private let onChannel: @Sendable (RPCChannel) async -> Void
    private let state = Mutex(State())
    /// Why the last connection was refused, for tests and the log.
    private let lastRefusal = Mutex<String?>(nil)

    private struct State: ~Copyable {
        var stopping = false
        var connections = 0
        var channels: [ObjectIdentifier: RPCChannel] = [:]
        var finished: CheckedContinuation<Void, Never>?
        var acceptLoopRunning = true
    }

    /// Listens on `host:port` (0: any free port) and starts accepting.
    public init(
        host: String = "127.0.0.1", port: Int = 0, identity: @escaping @Sendable () -> NodeIdentity,
        policy: @escaping @Sendable () -> CertificatePolicy, now: @escaping @Sendable () -> Int64,
        settings: RPCSettings = RPCSettings(), maxConnections: Int = 1_024,
        onChannel: @escaping @Sendable (RPCChannel) async -> Void
    ) throws(TransportError) {
        do {
            listener = try Listener(host: host, port: port)
        } catch {
            throw .socket(error)
        }
        self.port = listener.port
        self.identity = identity
        self.policy = policy
        self.now = now
        self.settings = settings
        self.maxConnections = maxConnections
        self.onChannel = onChannel
        BlockingWork.start("roost-rpc-accept") { [self] in acceptLoop() }
    }

    /// The reason the most recent handshake failed, if any did.
    public var lastHandshakeFailure: String? { lastRefusal.withLock { $0 } }

    /// Stops accepting, ends every channel, and returns once every connection is over and the
    /// port is closed (free to bind again).
    public func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let (channels, done) = state.withLock { state -> ([RPCChannel], Bool) in
                state.stopping = true
                let done = state.connections == 0 && !state.acceptLoopRunning
                if !done { state.finished = continuation }
                return (Array(state.channels.values), done)
            }
            for channel in channels { channel.shutdown() }
            if done { continuation.resume() }
        }
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    private func acceptLoop() {
        while !isStopping {
            // Short poll slices so `shutdown()` is noticed without touching the descriptor
            // from another thread.
            var entry = pollfd(fd: listener.descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            switch listener.accept() {
            case .accepted(let socket):
                let admitted = state.withLock { state -> Bool in
                    guard !state.stopping, state.connections < maxConnections else { return false }
                    state.connections += 1
                    return true
                }
                guard admitted else {
                    socket.close()
                    continue
                }
                BlockingWork.start("roost-rpc-handshake") { [self] in handshake(socket) }
            case .wouldBlock:
                continue
            case .failed:
                // Out of descriptors or similar: back off instead of spinning.
                usleep(50_000)
            }
        }
        listener.close()
        finish { $0.acceptLoopRunning = false }
    }

    private func handshake(_ socket: Socket) {
        let channel: RPCChannel
        do {
            channel = try RPCChannel.accept(socket, identity: identity(), policy: policy(), settings: settings, now: now())
        } catch {
            lastRefusal.withLock { $0 = error.description }
            socket.close()
            finish { $0.connections -= 1 }
            return
        }
        let key = ObjectIdentifier(channel)
        let registered = state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.channels[key] = channel
            return true
        }
        guard registered else {
            channel.close()
            finish { $0.connections -= 1 }
            return
        }
        // Lives as long as the channel: `onChannel` returns when the peer goes or `shutdown`
        // ends the channel, and `shutdown` waits for that.
        Task { [self] in
            await onChannel(channel)
            channel.shutdown()
            channel.close()
            finish { state in
                state.channels[key] = nil
                state.connections -= 1
            }
        }
    }

    /// Applies `change` and wakes `shutdown` once nothing runs any more.
    private func finish(_ change: (inout State) -> Void) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            change(&state)
            guard state.stopping, state.connections == 0, !state.acceptLoopRunning else { return nil }
            defer { state.finished = nil }
            return state.finished
        }
        waiter?.resume()
    }
}
