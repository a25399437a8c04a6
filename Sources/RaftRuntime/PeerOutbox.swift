import Foundation
import Platform
import Raft

/// The outbound side of one peer: a bounded queue of frames and a thread that keeps one
/// connection to the peer, redialing with exponential backoff when it fails, and sends the
/// queued frames in order.
///
/// Why a thread per peer: a Raft group has a handful of members, blocking writes with a
/// deadline are simple to reason about, and a slow peer then never delays the others.
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

    /// Queues `frame`; drops the oldest queued frame when full. Returns false if one was dropped.
    func enqueue(_ frame: [UInt8]) -> Bool {
        condition.lock()
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
            while !stopped && frames.count == head { condition.wait() }
            if stopped {
                condition.unlock()
                break
            }
            let (host, port) = (self.host, self.port)
            condition.unlock()

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
