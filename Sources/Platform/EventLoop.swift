import Foundation
import Glibc
import Synchronization

/// One thread that waits on epoll and runs readiness handlers: thousands of idle connections
/// cost a registration each, not a thread each.
///
/// Threading contract: `register`, `setInterest`, `deregister` and everything a handler does
/// run on the loop's thread only (handlers are called there; other threads get there with
/// `execute`). `execute` and `stop` are safe from any thread. That confinement is why the
/// class can be `@unchecked Sendable`: its mutable state is only touched by the loop thread,
/// except the pending-work queue, which is behind a mutex.
public final class EventLoop: @unchecked Sendable {
    /// Readiness a handler receives.
    public struct Events: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let readable = Events(rawValue: EventLoopSystemCalls.readable)
        public static let writable = Events(rawValue: EventLoopSystemCalls.writable)
        /// The peer shut its sending side (EPOLLRDHUP). Level-triggered like the rest: stop
        /// asking for it once seen, or the loop spins.
        public static let readHangup = Events(rawValue: EventLoopSystemCalls.readHangup)
        /// The connection is gone or failed (EPOLLHUP, EPOLLERR); always reported.
        public static let hangup = Events(rawValue: EventLoopSystemCalls.hangup | EventLoopSystemCalls.error)
    }

    public typealias Handler = (Events) -> Void

    private let epoll: Int32
    private let wakeup: Int32
    private let wakeupWriter: Int32
    private var handlers: [Int32: Handler] = [:]
    private let pending = Mutex<(work: [@Sendable () -> Void], stopping: Bool)>(([], false))
    private var tick: (interval: Duration, handler: () -> Void, next: ContinuousClock.Instant)?
    private let threadID = Mutex<pthread_t?>(nil)
    private let finished = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    public init() throws(SocketError) {
        let epoll = EventLoopSystemCalls.create()
        guard epoll >= 0 else { throw .lastError("epoll_create1") }
        // A self-pipe wakes the loop for `execute` and `stop` (eventfd is not exported either).
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            let error = SocketError.lastError("pipe")
            Glibc.close(epoll)
            throw error
        }
        for end in ends {
            Socket.setNonBlocking(end)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        self.epoll = epoll
        self.wakeup = ends[0]
        self.wakeupWriter = ends[1]
        _ = EventLoopSystemCalls.control(epoll, EventLoopSystemCalls.add, wakeup, events: EventLoopSystemCalls.readable)
    }

    deinit {
        Glibc.close(epoll)
        Glibc.close(wakeup)
        Glibc.close(wakeupWriter)
    }

    /// Starts the loop on a new thread named `name`.
    public func start(name: String) {
        let thread = Thread { [self] in
            threadID.withLock { $0 = pthread_self() }
            run()
            let waiters = finished.withLock { state in
                state.done = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// True on the loop's own thread.
    public var inLoopThread: Bool {
        threadID.withLock { id in id.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    /// Runs `work` on the loop thread soon. Returns false (and drops `work`) after `stop()`;
    /// work accepted before `stop()` always runs.
    @discardableResult
    public func execute(_ work: @escaping @Sendable () -> Void) -> Bool {
        // Only the first item of a batch needs a wakeup: the loop drains the whole queue.
        let (accepted, first) = pending.withLock { state -> (Bool, Bool) in
            guard !state.stopping else { return (false, false) }
            state.work.append(work)
            return (true, state.work.count == 1)
        }
        if first { signalWakeup() }
        return accepted
    }

    /// Asks the loop to finish its current round and exit. Handlers are dropped (the owner
    /// closes its descriptors). Safe from any thread.
    public func stop() {
        pending.withLock { $0.stopping = true }
        signalWakeup()
    }

    /// Suspends until the loop thread has exited.
    public func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = finished.withLock { state -> Bool in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Watches `descriptor` for `interest` (level-triggered). Loop thread only.
    public func register(_ descriptor: Int32, interest: Events, handler: @escaping Handler) throws(SocketError) {
        let events = interest.rawValue
        guard EventLoopSystemCalls.control(epoll, EventLoopSystemCalls.add, descriptor, events: events) == 0 else {
            throw .lastError("epoll_ctl add")
        }
        handlers[descriptor] = handler
    }

    /// Changes what `descriptor` is watched for. Loop thread only.
    public func setInterest(_ descriptor: Int32, _ interest: Events) {
        let events = interest.rawValue
        _ = EventLoopSystemCalls.control(epoll, EventLoopSystemCalls.modify, descriptor, events: events)
    }

    /// Stops watching `descriptor`; call before closing it. Loop thread only.
    public func deregister(_ descriptor: Int32) {
        guard handlers.removeValue(forKey: descriptor) != nil else { return }
        _ = EventLoopSystemCalls.control(epoll, EventLoopSystemCalls.remove, descriptor, events: 0)
    }

    /// Calls `handler` on the loop thread about every `interval` (deadline checks). Loop thread only.
    public func setTick(interval: Duration, handler: @escaping () -> Void) {
        tick = (interval, handler, ContinuousClock.now.advanced(by: interval))
    }

    private func signalWakeup() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeupWriter, &one, 1)
    }

    private func run() {
        let capacity = 256
        let events = UnsafeMutableRawPointer.allocate(
            byteCount: capacity * EventLoopSystemCalls.eventSize, alignment: 8)
        defer { events.deallocate() }
        while true {
            var timeout: Int32 = -1
            if let tick {
                timeout = Int32(clamping: max(0, (tick.next - ContinuousClock.now).milliseconds))
            }
            let count = EventLoopSystemCalls.wait(epoll, events, capacity: Int32(capacity), timeoutMilliseconds: timeout)
            if count < 0 && errno != EINTR { break }
            for index in 0..<max(0, Int(count)) {
                let (fd, bits) = EventLoopSystemCalls.event(at: index, in: events)
                if fd == wakeup {
                    var drain = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
                    while Glibc.read(wakeup, &drain, MemoryLayout.size(ofValue: drain)) > 0 {}
                    continue
                }
                // A handler may have deregistered this descriptor earlier in the round.
                handlers[fd]?(Events(rawValue: bits))
            }
            let (work, stopping) = pending.withLock { state -> ([@Sendable () -> Void], Bool) in
                defer { state.work = [] }
                return (state.work, state.stopping)
            }
            for item in work { item() }
            if stopping { break }
            if var current = tick, ContinuousClock.now >= current.next {
                current.next = ContinuousClock.now.advanced(by: current.interval)
                tick = current
                current.handler()
            }
        }
        handlers = [:]
        tick = nil
    }
}
