import Foundation
import Platform
import Raft

/// The outbound side of one peer: a bounded queue of frames and a thread that keeps one
/// connection to the peer, redialing with exponential backoff when it fails, and sends the
/// queued frames in order.
///
/// Why a thread per peer: a Raft group has a handful of members, blocking writes with a
/// deadline are simple to reason about, and a slow peer then never delays the others.
///
/// The shortcut: when the queue is empty, the connection is up and idle, and its send buffer
/// has room, `enqueue` writes a small frame itself instead of waking the thread. On the put
/// path (append out, acknowledgement back) that saves a thread wakeup per message, which is
/// most of a message's cost on loopback. It never blocks: a full buffer, a big frame or a
/// busy connection takes the queue as before.
final class PeerOutbox: @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `condition`.
    let peer: RaftNodeID
    private let local: RaftNodeID
    private let settings: FrameTransportSettings
    private let channels: any PeerChannelFactory
    private let counters: TransportCounters
    private let condition = NSCondition()
    private var host: String
    private var port: Int
    private var frames: [[UInt8]] = []
    private var head = 0
    private var stopped = false
    private var current: (any PeerChannel)?
    /// Someone holds the connection: the thread (dialing, checking, sending a batch) or a
    /// caller of `enqueue` writing directly. Whoever holds it alone may use `current`.
    private var writing = false

    init(
        peer: RaftNodeID, local: RaftNodeID, host: String, port: Int, settings: FrameTransportSettings,
        channels: any PeerChannelFactory, counters: TransportCounters
    ) {
        self.peer = peer
        self.local = local
        self.host = host
        self.port = port
        self.settings = settings
        self.channels = channels
        self.counters = counters
    }

    /// Starts the sending thread; `group` is left when it exits.
    func start(group: DispatchGroup) {
        group.enter()
        let thread = Thread { [self] in
            run()
            group.leave()
        }
        thread.name = "raft-peer-\(peer)"
        thread.start()
    }

    /// Frames up to this size may be written directly by `enqueue` (see the type's comment).
    static let directSendLimit = 16 * 1024

    /// Queues `frame`; drops the oldest queued frame when full. Returns false if one was dropped.
    func enqueue(_ frame: [UInt8]) -> Bool {
        condition.lock()
        if !stopped, !writing, frames.count == head, frame.count <= Self.directSendLimit, let channel = current {
            writing = true
            condition.unlock()
            if sendDirectly(frame, on: channel) {
                condition.lock()
                writing = false
                // Frames queued meanwhile are the thread's to send; a stopping thread waits
                // for the connection to be free.
                if frames.count > head || stopped { condition.broadcast() }
                condition.unlock()
                return true
            }
            condition.lock()
            writing = false
        }
        defer { condition.unlock() }
        guard !stopped else { return true }
        var dropped = false
        if frames.count - head >= settings.queueCapacity {
            head += 1
            dropped = true
        }
        frames.append(frame)
        if head > 1024 && head * 2 > frames.count {
            frames.removeFirst(head)
            head = 0
        }
        condition.signal()
        return !dropped
    }

    /// Writes `frame` if the connection can take it without blocking; false when the frame
    /// must be queued instead. A failed write loses the frame (as a failed batch does) and
    /// wakes the thread, which notices the closed connection and redials.
    private func sendDirectly(_ frame: [UInt8], on channel: any PeerChannel) -> Bool {
        guard channel.canSendWithoutBlocking else { return false }
        do {
            try channel.send(frame, deadline: ContinuousClock.now.advanced(by: settings.sendTimeout))
            counters.update { $0.framesSent += 1 }
        } catch {
            counters.update { $0.framesLostOnFailure += 1 }
            channel.shutdown()
        }
        return true
    }

    var queuedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return frames.count - head
    }

    /// Points the peer at a new address; the current connection is dropped and redialed.
    func setAddress(host: String, port: Int) {
        condition.lock()
        defer { condition.unlock() }
        guard host != self.host || port != self.port else { return }
        self.host = host
        self.port = port
        current?.shutdown()
    }

    func stop() {
        condition.lock()
        stopped = true
        current?.shutdown()
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        var backoff = settings.initialBackoff
        var channel: (any PeerChannel)?
        while true {
            condition.lock()
            while !stopped && (frames.count == head || writing) { condition.wait() }
            if stopped {
                // A direct write in progress still holds the connection this thread closes.
                while writing { condition.wait() }
                condition.unlock()
                break
            }
            let (host, port) = (self.host, self.port)
            writing = true
            condition.unlock()
            defer {
                condition.lock()
                writing = false
                condition.unlock()
            }

            if let open = channel, open.peerHasClosed {
                open.close()
                channel = nil
                setCurrent(nil)
            }
            if channel == nil {
                do {
                    channel = try dial(host: host, port: port)
                    setCurrent(channel)
                    counters.update { $0.outboundConnections += 1 }
                    backoff = settings.initialBackoff
                } catch {
                    counters.update { $0.connectFailures += 1 }
                    pause(backoff)
                    backoff = min(backoff * 2, settings.maxBackoff)
                    continue
                }
            }
            guard let open = channel else { continue }
            let batch = takeBatch()
            guard !batch.isEmpty else { continue }
            do {
                try open.send(batch: batch, deadline: ContinuousClock.now.advanced(by: settings.sendTimeout))
                counters.update { $0.framesSent += batch.count }
            } catch {
                counters.update { $0.framesLostOnFailure += batch.count }
                open.close()
                channel = nil
                setCurrent(nil)
            }
        }
        channel?.close()
        setCurrent(nil)
    }

    private func dial(host: String, port: Int) throws -> any PeerChannel {
        let socket = try Socket.connect(host: host, port: port, timeout: settings.connectTimeout)
        do {
            return try channels.connect(
                socket, local: local, remote: peer, maxFrameSize: settings.maxFrameSize,
                deadline: ContinuousClock.now.advanced(by: settings.handshakeTimeout))
        } catch {
            socket.close()
            counters.update { $0.handshakeFailures += 1 }
            throw error
        }
    }

    /// Takes queued frames, in order, up to about 1 MiB (at least one), to write together.
    private func takeBatch() -> [[UInt8]] {
        condition.lock()
        defer { condition.unlock() }
        var batch: [[UInt8]] = []
        var bytes = 0
        while head < frames.count && (batch.isEmpty || bytes + frames[head].count <= PeerOutbox.batchBytes) {
            bytes += frames[head].count
            batch.append(frames[head])
            frames[head] = []
            head += 1
        }
        if head == frames.count {
            frames.removeAll(keepingCapacity: true)
            head = 0
        }
        return batch
    }

    static let batchBytes = 1 << 20

    private func setCurrent(_ channel: (any PeerChannel)?) {
        condition.lock()
        current = channel
        // A stop that raced with the dial must still wake the new connection.
        if stopped { channel?.shutdown() }
        condition.unlock()
    }

    /// Waits `duration` before redialing, returning early on `stop()`.
    private func pause(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let deadline = Date().addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
        condition.lock()
        while !stopped && Date() < deadline {
            _ = condition.wait(until: deadline)
        }
        condition.unlock()
    }
}
