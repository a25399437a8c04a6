import Foundation
import Glibc
import Platform
import Raft
import Synchronization

/// Frames between Raft members over TCP: one outbound connection per peer (redialed with
/// backoff, a bounded queue in front of it), and a listener whose inbound connections deliver
/// frames to `handler` with the sender's node ID.
///
/// Messages travel one way per connection, as in etcd: a node's messages to a peer use its
/// own outbound connection, the peer's answers come back on the peer's. Delivery is
/// best-effort and in order per connection; frames queued for a peer that is down may be
/// dropped (counted), which Raft tolerates by design.
///
/// The bytes on each connection are a `PeerChannel` made by `channels`: plain frames, or the
/// encrypted, authenticated channel between managers that hold certificates
/// (`ManagerPeerChannelFactory` picks per connection), without change here or above.
///
/// Threads: one accepting, one per inbound connection (reading; `handler` is called there,
/// so it must be quick and thread-safe — typically it queues into the Raft shell's inbox),
/// one per peer (writing). `shutdown()` stops and waits for all of them.
public final class FrameTransport: Sendable {
    public let localID: RaftNodeID
    public let settings: FrameTransportSettings
    /// The port the listener bound (the kernel's choice when 0 was asked for).
    public let port: Int
    private let listener: Listener
    private let channels: any PeerChannelFactory
    private let handler: @Sendable (RaftNodeID, [UInt8]) -> Void
    /// Where join hellos and worker channels go instead of Raft (see `InboundDiversion`).
    private let diversion: InboundDiversion
    private let inboundClosed = Mutex<(@Sendable (RaftNodeID) -> Void)?>(nil)
    private let counters = TransportCounters()
    private let threads = DispatchGroup()

    private struct State {
        var outboxes: [RaftNodeID: PeerOutbox] = [:]
        var inbound: [ObjectIdentifier: any PeerChannel] = [:]
        var inboundCount = 0
        var stopping = false
    }
    private let state = Mutex(State())

    /// Listens on `host:port` (port 0: any free port, see `port`) and starts accepting.
    public init(
        localID: RaftNodeID, host: String = "127.0.0.1", port: Int = 0, settings: FrameTransportSettings = FrameTransportSettings(),
        channels: any PeerChannelFactory = PlainPeerChannelFactory(), diversion: InboundDiversion = InboundDiversion(),
        handler: @escaping @Sendable (RaftNodeID, [UInt8]) -> Void
    ) throws(TransportError) {
        precondition(localID != .none, "a transport needs the local node's ID")
        precondition(settings.maxFrameSize > 0 && settings.maxFrameSize <= Int(UInt32.max), "maxFrameSize must fit the 4-byte length prefix")
        precondition(settings.queueCapacity > 0, "queueCapacity must be positive")
        do {
            listener = try Listener(host: host, port: port)
        } catch {
            throw .socket(error)
        }
        self.localID = localID
        self.settings = settings
        self.port = listener.port
        self.channels = channels
        self.diversion = diversion
        self.handler = handler
        threads.enter()
        let thread = Thread { [self] in
            acceptLoop()
            threads.leave()
        }
        thread.name = "raft-accept"
        thread.start()
    }

    /// Sets (or changes) where `peer` listens. A new peer gets its connection thread.
    public func setPeer(_ peer: RaftNodeID, host: String, port: Int) {
        let created = state.withLock { state -> PeerOutbox? in
            guard !state.stopping else { return nil }
            if let existing = state.outboxes[peer] {
                existing.setAddress(host: host, port: port)
                return nil
            }
            let outbox = PeerOutbox(
                peer: peer, local: localID, host: host, port: port, settings: settings, channels: channels, counters: counters)
            state.outboxes[peer] = outbox
            return outbox
        }
        created?.start(group: threads)
    }

    /// Forgets `peer`: its queue is dropped and its connection closed.
    public func removePeer(_ peer: RaftNodeID) {
        state.withLock { $0.outboxes.removeValue(forKey: peer) }?.stop()
    }

    /// Queues `frame` for `peer`. Returns false when the frame was not queued as-is: unknown
    /// peer, frame over the cap, or the queue was full and its oldest frame was dropped.
    @discardableResult
    public func send(_ frame: [UInt8], to peer: RaftNodeID) -> Bool {
        guard let outbox = state.withLock({ $0.outboxes[peer] }) else {
            counters.update { $0.framesToUnknownPeers += 1 }
            return false
        }
        guard frame.count <= settings.maxFrameSize else { return false }
        if outbox.enqueue(frame) { return true }
        counters.update { $0.framesDroppedQueueFull += 1 }
        return false
    }

    /// Calls `callback` with the peer's ID whenever a connection from that peer ends (it
    /// closed it, it reset, or its process died: the kernel closes a killed process's
    /// sockets at once), unless the transport itself is shutting down. A hint, not a verdict:
    /// the peer may simply be redialing.
    public func onInboundConnectionClosed(_ callback: @escaping @Sendable (RaftNodeID) -> Void) {
        inboundClosed.withLock { $0 = callback }
    }

    public var statistics: FrameTransportStatistics { counters.snapshot }

    /// Frames waiting for `peer` (0 for an unknown peer).
    public func queuedFrames(for peer: RaftNodeID) -> Int {
        state.withLock { $0.outboxes[peer] }?.queuedCount ?? 0
    }

    /// Stops accepting, closes every connection, and returns once every thread has exited
    /// (the port is then free to bind again).
    public func shutdown() async {
        let (outboxes, inbound) = state.withLock { state -> ([PeerOutbox], [any PeerChannel]) in
            state.stopping = true
            defer { state.outboxes = [:] }
            return (Array(state.outboxes.values), Array(state.inbound.values))
        }
        for outbox in outboxes { outbox.stop() }
        for channel in inbound { channel.shutdown() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            threads.notify(queue: .global()) { continuation.resume() }
        }
    }

    // MARK: Inbound

    private var isStopping: Bool { state.withLock { $0.stopping } }

    private func acceptLoop() {
        defer { listener.close() }
        while !isStopping {
            // Short poll slices so that `shutdown()` is noticed without touching the
            // descriptor from another thread.
            var entry = pollfd(fd: listener.descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            switch listener.accept() {
            case .accepted(let socket):
                let admitted = state.withLock { state -> Bool in
                    guard !state.stopping, state.inboundCount < settings.maxInboundConnections else { return false }
                    state.inboundCount += 1
                    return true
                }
                guard admitted else {
                    socket.close()
                    continue
                }
                counters.update { $0.inboundConnections += 1 }
                threads.enter()
                let thread = Thread { [self] in
                    serve(socket)
                    state.withLock { $0.inboundCount -= 1 }
                    threads.leave()
                }
                thread.name = "raft-inbound"
                thread.start()
            case .wouldBlock:
                continue
            case .failed:
                // Out of descriptors or similar: back off a little instead of spinning.
                usleep(50_000)
            }
        }
    }

    /// Reads frames from one inbound connection until it ends, fails, or breaks a limit;
    /// join hellos and worker channels go to `diversion` instead.
    private func serve(_ socket: Socket) {
        let deadline = ContinuousClock.now.advanced(by: settings.handshakeTimeout)
        if diversion.join != nil || diversion.channelHello != nil {
            switch InboundDiversion.helloPurpose(socket, deadline: deadline) {
            case 2?:
                if let join = diversion.join {
                    let connection = FramedConnection(stream: FrameStream(socket: socket, maxFrameSize: SecurePeerChannelFactory.handshakeFrameLimit))
                    divert(connection) { join(connection) }
                    return
                }
            case 1?:
                if let channelHello = diversion.channelHello {
                    let connection = FramedConnection(stream: FrameStream(socket: socket, maxFrameSize: SecurePeerChannelFactory.handshakeFrameLimit))
                    divert(connection) { channelHello(connection.frameStream) }
                    return
                }
            default:
                break
            }
        }
        let channel: any PeerChannel
        do {
            channel = try channels.accept(socket, local: localID, maxFrameSize: settings.maxFrameSize, deadline: deadline)
        } catch {
            counters.update { $0.handshakeFailures += 1 }
            socket.close()
            return
        }
        divert(channel) {
            do throws(TransportError) {
                while let frame = try channel.receive() {
                    counters.update { $0.framesReceived += 1 }
                    handler(channel.peer, frame)
                }
            } catch {
                if case .oversizeFrame = error {
                    counters.update { $0.oversizeFramesRejected += 1 }
                }
            }
            if !isStopping, let callback = inboundClosed.withLock({ $0 }) { callback(channel.peer) }
        }
    }

    /// Runs `handle` (Raft's read loop, or a diversion handler) with the connection registered
    /// (so `shutdown()` wakes it), then closes the connection.
    private func divert(_ channel: any PeerChannel, _ handle: () -> Void) {
        let key = ObjectIdentifier(channel)
        let registered = state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.inbound[key] = channel
            return true
        }
        defer {
            state.withLock { _ = $0.inbound.removeValue(forKey: key) }
            channel.close()
        }
        if registered { handle() }
    }
}
