import Platform
import Synchronization

/// The server's state on its event-loop thread: the listener, the open connections, the
/// deadline tick and the shutdown sequence.
///
/// Confined to the loop thread (all mutable state is touched only from loop callbacks and
/// `loop.execute` blocks), except `connectionCount`, which is atomic; hence `@unchecked Sendable`.
final class HTTPServerCore: @unchecked Sendable {
    let settings: HTTPServerSettings
    let handler: HTTPServer.Handler
    let directHandler: HTTPServer.DirectHandler?
    let loop: EventLoop
    let port: Int
    private let listener: Listener
    private var connections: [Int32: HTTPServerConnection] = [:]
    private let openConnections = Atomic<Int>(0)
    private let shutdownStarted = Atomic<Bool>(false)
    /// Set once shutdown begins: responses say `Connection: close`, no new connections.
    private(set) var draining = false
    private var drainDeadline: ContinuousClock.Instant?
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []
    private var acceptResumesAt: ContinuousClock.Instant?
    /// One read buffer for every connection: reads happen one at a time on this thread.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private let overloadResponse: [UInt8]

    private init(
        settings: HTTPServerSettings, handler: @escaping HTTPServer.Handler, directHandler: HTTPServer.DirectHandler?,
        listener: Listener, loop: EventLoop
    ) {
        self.settings = settings
        self.handler = handler
        self.directHandler = directHandler
        self.listener = listener
        self.loop = loop
        self.port = listener.port
        var bytes: [UInt8] = []
        let response = HTTPResponse.error(.serviceUnavailable, "the server has too many open connections; retry later")
        response.appendHead(
            to: &bytes, contentLength: response.bodyBytes?.count ?? 0, chunked: false, keepAlive: false,
            requestVersion: .http1_1)
        bytes.append(contentsOf: response.bodyBytes ?? [])
        overloadResponse = bytes
    }

    deinit {
        readBuffer.deallocate()
    }

    static func start(
        settings: HTTPServerSettings, handler: @escaping HTTPServer.Handler, directHandler: HTTPServer.DirectHandler?
    ) throws(SocketError) -> HTTPServerCore {
        let listener = try Listener(host: settings.host, port: settings.port)
        let loop: EventLoop
        do {
            loop = try EventLoop()
        } catch {
            listener.close()
            throw error
        }
        let core = HTTPServerCore(settings: settings, handler: handler, directHandler: directHandler, listener: listener, loop: loop)
        loop.start(name: "roost-http")
        loop.execute { core.install() }
        return core
    }

    var connectionCount: Int { openConnections.load(ordering: .relaxed) }

    private func install() {
        do {
            try loop.register(listener.descriptor, interest: .readable) { [self] _ in acceptConnections() }
        } catch {
            // Registering a fresh listener only fails when the kernel is out of memory; the
            // server then simply never accepts, and `shutdown()` still works.
        }
        let shortest = min(settings.headerReadTimeout, settings.idleTimeout, settings.writeTimeout)
        let interval = max(Duration.milliseconds(5), min(Duration.milliseconds(250), shortest / 4))
        loop.setTick(interval: interval) { [self] in tick() }
    }

    private func acceptConnections() {
        for _ in 0..<64 {
            switch listener.accept() {
            case .wouldBlock:
                return
            case .failed:
                // Out of descriptors (EMFILE) or similar: stop watching the listener for a
                // moment instead of spinning on a connection we cannot take.
                loop.setInterest(listener.descriptor, [])
                acceptResumesAt = ContinuousClock.now.advanced(by: .milliseconds(100))
                return
            case .accepted(let socket):
                if draining || connections.count >= settings.maxConnections {
                    overloadResponse.withUnsafeBytes { _ = socket.send($0) }
                    socket.close()
                    continue
                }
                let connection = HTTPServerConnection(socket: socket, core: self)
                do {
                    try connection.install()
                } catch {
                    socket.close()
                    continue
                }
                connections[socket.descriptor] = connection
                openConnections.add(1, ordering: .relaxed)
            }
        }
    }

    func connectionClosed(_ connection: HTTPServerConnection) {
        guard connections.removeValue(forKey: connection.socket.descriptor) != nil else { return }
        openConnections.subtract(1, ordering: .relaxed)
        if draining && connections.isEmpty { finishDrain() }
    }

    private func tick() {
        let now = ContinuousClock.now
        if let resume = acceptResumesAt, now >= resume, !draining {
            acceptResumesAt = nil
            loop.setInterest(listener.descriptor, .readable)
        }
        for connection in Array(connections.values) {
            connection.checkDeadlines(now: now)
        }
        if draining, let deadline = drainDeadline, now >= deadline {
            for connection in Array(connections.values) { connection.abort() }
            finishDrain()
        }
    }

    func shutdown(gracePeriod: Duration) async {
        if shutdownStarted.exchange(true, ordering: .acquiringAndReleasing) {
            await loop.waitUntilStopped()
            return
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let accepted = loop.execute { [self] in beginDrain(gracePeriod: gracePeriod, waiter: continuation) }
            if !accepted { continuation.resume() }
        }
        loop.stop()
        await loop.waitUntilStopped()
    }

    private func beginDrain(gracePeriod: Duration, waiter: CheckedContinuation<Void, Never>) {
        draining = true
        drainWaiters.append(waiter)
        drainDeadline = ContinuousClock.now.advanced(by: gracePeriod)
        loop.deregister(listener.descriptor)
        listener.close()
        for connection in Array(connections.values) { connection.drain() }
        if connections.isEmpty { finishDrain() }
    }

    private func finishDrain() {
        let waiters = drainWaiters
        drainWaiters = []
        for waiter in waiters { waiter.resume() }
    }
}
