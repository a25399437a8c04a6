import Platform

/// One client connection: reads and parses requests, runs them through the handler one at a
/// time in arrival order (pipelined requests wait their turn), writes responses, and enforces
/// the connection's deadlines.
///
/// Confined to the loop thread; handler tasks reach it only through `loop.execute` (see
/// `submit`). Hence `@unchecked Sendable`.
final class HTTPServerConnection: @unchecked Sendable {
    private enum Pending {
        case request(HTTPRequest)
        case failure(HTTPParseError)
    }

    /// Output beyond this makes a streaming handler wait for the client to read.
    private static let outputHighWater = 256 * 1024

    let socket: Socket
    private let core: HTTPServerCore
    private var parser: HTTPRequestParser
    private var pending: [Pending] = []
    /// Body bytes held by `pending`: reading pauses beyond one maximum body, so pipelining
    /// cannot make one connection hold many bodies' worth of memory.
    private var pendingBodyBytes = 0
    private var inFlight = false
    private var task: Task<Void, Never>?
    private var streaming = false
    private var keepAliveAfterCurrent = true
    private var output: [UInt8] = []
    private var outputOffset = 0
    private var readClosed = false
    private var sawReadHangup = false
    private var closing = false
    private(set) var closed = false
    private var headDeadline: ContinuousClock.Instant?
    private var lastActivity = ContinuousClock.now
    private var writeStalledSince: ContinuousClock.Instant?
    private var drainWaiters: [CheckedContinuation<Bool, Never>] = []
    private var interest: EventLoop.Events = []

    init(socket: Socket, core: HTTPServerCore) {
        self.socket = socket
        self.core = core
        self.parser = HTTPRequestParser(limits: core.settings.limits)
    }

    func install() throws(SocketError) {
        interest = [.readable, .readHangup]
        try core.loop.register(socket.descriptor, interest: interest) { [self] events in handle(events) }
    }

    private var hasOutput: Bool { outputOffset < output.count }

    private var wantsMoreRequests: Bool {
        pending.count < core.settings.maxPipelinedRequests && pendingBodyBytes <= core.settings.limits.maxBodyBytes
    }

    // MARK: Events

    private func handle(_ events: EventLoop.Events) {
        if !events.isDisjoint(with: .hangup) {
            abort()
            return
        }
        if events.contains(.readable) {
            readAvailable()
            if closed { return }
        } else if events.contains(.readHangup) {
            sawReadHangup = true
            // The client stopped sending; a stream to it has no one left to stop it.
            if streaming {
                abort()
                return
            }
            updateInterest()
        }
        if events.contains(.writable) {
            flush()
        }
    }

    private func readAvailable() {
        for _ in 0..<4 {
            let result = socket.receive(into: core.readBuffer)
            if case .transferred(let count) = result {
                let wasInside = parser.isInsideRequest
                parser.append(UnsafeRawBufferPointer(rebasing: core.readBuffer[0..<count]))
                lastActivity = ContinuousClock.now
                if !wasInside { headDeadline = lastActivity.advanced(by: core.settings.headerReadTimeout) }
                if count < core.readBuffer.count { break }
                continue
            }
            if case .endOfFile = result {
                readClosed = true
            } else if case .failed = result {
                abort()
                return
            }
            break
        }
        processInput()
        if closed { return }
        if readClosed {
            if streaming {
                abort()
                return
            }
            if !inFlight && pending.isEmpty {
                closing = true
                afterOutputChange()
                return
            }
        }
        updateInterest()
    }

    private func processInput() {
        parsing: while wantsMoreRequests && !parser.hasFailed {
            switch parser.next() {
            case .request(let request):
                pending.append(.request(request))
                pendingBodyBytes += request.body.count
                headDeadline = parser.isInsideRequest ? ContinuousClock.now.advanced(by: core.settings.headerReadTimeout) : nil
            case .continueExpected:
                if !inFlight && pending.isEmpty {
                    write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                }
            case .needMoreData:
                break parsing
            case .failure(let error):
                pending.append(.failure(error))
                break parsing
            }
        }
        startNext()
    }

    private func startNext() {
        guard !inFlight, !closed, !closing, !pending.isEmpty else { return }
        switch pending.removeFirst() {
        case .failure(let error):
            respondAndClose(.error(error.status, error.message))
        case .request(let request):
            pendingBodyBytes -= request.body.count
            inFlight = true
            lastActivity = ContinuousClock.now
            if let direct = core.directHandler {
                let responder = HTTPResponder { [self] response in answerDirectly(response, to: request) }
                if direct(request, responder) { return }
            }
            // Lifetime: until the response is fully handed to this connection, or until the
            // connection closes, which cancels it (see `close()`).
            task = Task { [self, handler = core.handler] in
                let response = await handler(request)
                await send(response, to: request)
            }
        }
    }

    /// The way back for a request a `DirectHandler` took (any thread).
    private func answerDirectly(_ response: HTTPResponse, to request: HTTPRequest) {
        switch response.body {
        case .bytes:
            writeWhole(response, to: request)
        case .stream:
            core.loop.execute { [self] in
                guard !closed else { return }
                task = Task { [self] in await send(response, to: request) }
            }
        }
    }

    // MARK: Responses (called from the handler's task)

    private func send(_ response: HTTPResponse, to request: HTTPRequest) async {
        let omitBody = request.method == .head || response.status.forbidsBody
        switch response.body {
        case .bytes:
            writeWhole(response, to: request)
        case .stream(let stream):
            let chunked = request.version == .http1_1
            let headSent = await submit { connection in
                // An HTTP/1.0 client learns where the body ends only by the connection closing.
                let keepAlive = chunked && request.keepAlive && !connection.core.draining
                connection.keepAliveAfterCurrent = keepAlive
                connection.streaming = true
                var bytes: [UInt8] = []
                response.appendHead(
                    to: &bytes, contentLength: omitBody ? 0 : nil, chunked: chunked && !omitBody,
                    keepAlive: keepAlive, requestVersion: request.version)
                return bytes
            }
            guard headSent else { return }
            if !omitBody {
                // Cancellation (client gone, or shutdown) ends the iteration; the terminator
                // below is then written if the connection is still there.
                for await chunk in stream {
                    if Task.isCancelled { break }
                    if chunk.isEmpty { continue }
                    let sent = await submit { _ in
                        guard chunked else { return chunk }
                        var framed: [UInt8] = []
                        framed.reserveCapacity(chunk.count + 12)
                        HTTPResponse.appendChunk(chunk, to: &framed)
                        return framed
                    }
                    guard sent else { return }
                }
                if chunked {
                    guard await submit({ _ in HTTPResponse.lastChunk }) else { return }
                }
            }
            core.loop.execute { [self] in
                guard !closed else { return }
                streaming = false
                finishRequest()
            }
        }
    }

    /// Writes a response whose body is in memory, on the loop thread (callable from any thread).
    private func writeWhole(_ response: HTTPResponse, to request: HTTPRequest) {
        guard case .bytes(let body) = response.body else { return }
        let omitBody = request.method == .head || response.status.forbidsBody
        core.loop.execute { [self] in
            guard !closed else { return }
            let keepAlive = request.keepAlive && !core.draining
            var bytes: [UInt8] = []
            bytes.reserveCapacity(256 + (omitBody ? 0 : body.count))
            response.appendHead(
                to: &bytes, contentLength: body.count, chunked: false, keepAlive: keepAlive,
                requestVersion: request.version)
            if !omitBody { bytes.append(contentsOf: body) }
            keepAliveAfterCurrent = keepAlive
            write(bytes)
            finishRequest()
        }
    }

    /// Writes bytes built on the loop thread; waits while the client is behind on reading.
    /// False when the connection is gone.
    private func submit(_ build: @escaping @Sendable (HTTPServerConnection) -> [UInt8]) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let accepted = core.loop.execute { [self] in
                guard !closed else {
                    continuation.resume(returning: false)
                    return
                }
                write(build(self))
                if closed {
                    continuation.resume(returning: false)
                } else if output.count - outputOffset > Self.outputHighWater {
                    drainWaiters.append(continuation)
                } else {
                    continuation.resume(returning: true)
                }
            }
            if !accepted { continuation.resume(returning: false) }
        }
    }

    private func finishRequest() {
        inFlight = false
        task = nil
        if !keepAliveAfterCurrent || core.draining {
            closing = true
            pending.removeAll()
            pendingBodyBytes = 0
            afterOutputChange()
            return
        }
        lastActivity = ContinuousClock.now
        if parser.isReadingHead {
            headDeadline = lastActivity.advanced(by: core.settings.headerReadTimeout)
        }
        processInput()
        if !inFlight && pending.isEmpty && readClosed {
            closing = true
        }
        afterOutputChange()
    }

    private func respondAndClose(_ response: HTTPResponse) {
        var bytes: [UInt8] = []
        let body = response.bodyBytes ?? []
        response.appendHead(to: &bytes, contentLength: body.count, chunked: false, keepAlive: false, requestVersion: .http1_1)
        bytes.append(contentsOf: body)
        closing = true
        pending.removeAll()
        pendingBodyBytes = 0
        write(bytes)
        afterOutputChange()
    }

    // MARK: Output

    private func write(_ bytes: [UInt8]) {
        guard !closed, !bytes.isEmpty else { return }
        if hasOutput {
            output.append(contentsOf: bytes)
            return
        }
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { socket.send(UnsafeRawBufferPointer(rebasing: $0[sent...])) }
            switch result {
            case .transferred(let count):
                sent += count
            case .wouldBlock:
                output.removeAll(keepingCapacity: true)
                output.append(contentsOf: bytes[sent...])
                outputOffset = 0
                writeStalledSince = writeStalledSince ?? ContinuousClock.now
                updateInterest()
                return
            case .endOfFile, .failed:
                abort()
                return
            }
        }
    }

    private func flush() {
        while hasOutput {
            let result = output.withUnsafeBytes { socket.send(UnsafeRawBufferPointer(rebasing: $0[outputOffset...])) }
            switch result {
            case .transferred(let count):
                outputOffset += count
                writeStalledSince = ContinuousClock.now
            case .wouldBlock:
                updateInterest()
                return
            case .endOfFile, .failed:
                abort()
                return
            }
        }
        afterOutputChange()
    }

    /// Called whenever output may have emptied: wakes waiting streams, closes a connection
    /// that was only waiting to flush, and refreshes the epoll interest.
    private func afterOutputChange() {
        guard !closed else { return }
        if !hasOutput {
            if output.capacity > 1 << 16 {
                output = []
            } else {
                output.removeAll(keepingCapacity: true)
            }
            outputOffset = 0
            writeStalledSince = nil
            let waiters = drainWaiters
            drainWaiters = []
            for waiter in waiters { waiter.resume(returning: true) }
            if closing && !inFlight {
                close()
                return
            }
        }
        updateInterest()
    }

    private func updateInterest() {
        guard !closed else { return }
        var wanted: EventLoop.Events = []
        if !readClosed && !closing && !parser.hasFailed && wantsMoreRequests {
            wanted.insert(.readable)
        }
        if !readClosed && !sawReadHangup { wanted.insert(.readHangup) }
        if hasOutput { wanted.insert(.writable) }
        if wanted != interest {
            interest = wanted
            core.loop.setInterest(socket.descriptor, wanted)
        }
    }

    // MARK: Deadlines and closing

    func checkDeadlines(now: ContinuousClock.Instant) {
        guard !closed else { return }
        if let since = writeStalledSince, now - since >= core.settings.writeTimeout {
            abort()
            return
        }
        guard !inFlight, pending.isEmpty, !closing else { return }
        if parser.isReadingHead {
            if let deadline = headDeadline, now >= deadline {
                respondAndClose(.error(.requestTimeout, "the request head did not arrive within \(core.settings.headerReadTimeout)"))
            }
        } else if parser.isInsideRequest {
            if now - lastActivity >= core.settings.headerReadTimeout {
                respondAndClose(.error(.requestTimeout, "the request body stalled for \(core.settings.headerReadTimeout)"))
            }
        } else if !hasOutput && now - lastActivity >= core.settings.idleTimeout {
            close()
        }
    }

    /// Shutdown: an idle connection closes now; a busy one after its current response. A
    /// stream (`logs -f`) never ends by itself, so it is ended now, cleanly.
    func drain() {
        pending.removeAll()
        pendingBodyBytes = 0
        if streaming { task?.cancel() }
        if !inFlight {
            closing = true
            afterOutputChange()
        }
    }

    /// Closes at once, cancelling the handler's task (a stream stops).
    func abort() {
        close()
    }

    private func close() {
        guard !closed else { return }
        closed = true
        task?.cancel()
        task = nil
        core.loop.deregister(socket.descriptor)
        socket.close()
        let waiters = drainWaiters
        drainWaiters = []
        for waiter in waiters { waiter.resume(returning: false) }
        core.connectionClosed(self)
    }
}
