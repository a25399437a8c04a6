import Foundation
import Platform
import Synchronization

/// A small HTTP/1.1 client for the CLI and tests: one request at a time per connection,
/// keep-alive connections reused, blocking socket work done off the Swift concurrency pool.
///
/// ```swift
/// let client = try HTTPClient(address: "http://127.0.0.1:4646")
/// let response = try await client.send(.get, "/v1/jobs")
/// let logs = try await client.stream(.get, "/v1/client/fs/logs/\(id)?follow=true")
/// for try await piece in logs.body { print(String(decoding: piece, as: UTF8.self), terminator: "") }
/// ```
public final class HTTPClient: Sendable {
    /// The normalised address, `http://host:port`.
    public let address: String
    public let host: String
    public let port: Int
    public let settings: HTTPClientSettings
    private let idle = Mutex<[Socket]>([])
    private static let maxIdleConnections = 4

    /// `address` is `http://host:port`, `host:port`, or `http://host` (port 80); https is not
    /// supported.
    public init(address: String, settings: HTTPClientSettings = HTTPClientSettings()) throws(HTTPClientError) {
        var rest = Substring(address)
        if rest.lowercased().hasPrefix("http://") {
            rest = rest.dropFirst(7)
        } else if rest.contains("://") {
            throw HTTPClientError(.invalidAddress, "unsupported address \"\(address)\": only http:// is supported")
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        var hostPart = rest
        var port = 80
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                guard let parsed = Int(after.dropFirst()) else {
                    throw HTTPClientError(.invalidAddress, "invalid port in address \"\(address)\"")
                }
                port = parsed
            }
        } else if let colon = rest.lastIndex(of: ":") {
            hostPart = rest[..<colon]
            guard let parsed = Int(rest[rest.index(after: colon)...]) else {
                throw HTTPClientError(.invalidAddress, "invalid port in address \"\(address)\"")
            }
            port = parsed
        }
        guard !hostPart.isEmpty, (1...65535).contains(port), !hostPart.contains("/") else {
            throw HTTPClientError(.invalidAddress, "invalid address \"\(address)\"; expected http://host:port")
        }
        self.host = String(hostPart)
        self.port = port
        self.settings = settings
        self.address = "http://\(hostPart.contains(":") ? "[\(hostPart)]" : String(hostPart)):\(port)"
    }

    deinit {
        for socket in idle.withLock({ $0 }) { socket.close() }
    }

    /// Sends a request and reads the whole response. Throws `HTTPClientError`; an error status
    /// is returned as a response.
    public func send(
        _ method: HTTPMethod, _ target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []
    ) async throws -> HTTPClientResponse {
        try await Self.runBlocking { [self] in try sendBlocking(method, target, headers: headers, body: body) }
    }

    public func get(_ target: String, headers: HTTPHeaders = HTTPHeaders()) async throws -> HTTPClientResponse {
        try await send(.get, target, headers: headers)
    }

    /// Sends a request and returns once the response head has arrived; the body is read as it
    /// comes. The connection is not reused.
    public func stream(
        _ method: HTTPMethod = .get, _ target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []
    ) async throws -> HTTPClientStreamingResponse {
        try await Self.runBlocking { [self] in try streamBlocking(method, target, headers: headers, body: body) }
    }

    // MARK: Blocking work

    /// Runs blocking socket work on a thread of its own. Not on Dispatch's global queues: on
    /// Linux they have about one thread per core and cannot tell that a thread is blocked, so
    /// a long `logs -f` read (or a few slow requests) would starve every other caller.
    private static func runBlocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            startThread {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    private static func startThread(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = "roost-http-client"
        thread.stackSize = 512 * 1024
        thread.start()
    }

    private func sendBlocking(
        _ method: HTTPMethod, _ target: String, headers: HTTPHeaders, body: [UInt8]
    ) throws(HTTPClientError) -> HTTPClientResponse {
        let request = requestBytes(method, target, headers: headers, body: body)
        let idempotent = method != .post && method != .patch
        while true {
            let (socket, reused) = try checkout()
            var parser = HTTPResponseParser(requestMethod: method)
            do throws(HTTPClientError) {
                try write(request, to: socket)
                var head: HTTPResponseHead?
                var collected: [UInt8] = []
                try read(from: socket, parser: &parser, idleDeadline: true) { event throws(HTTPClientError) in
                    switch event {
                    case .head(let value):
                        head = value
                    case .body(let piece):
                        guard collected.count + piece.count <= settings.maxResponseBodyBytes else {
                            throw HTTPClientError(.responseTooLarge, "\(serverName) sent a response larger than \(settings.maxResponseBodyBytes) bytes")
                        }
                        collected.append(contentsOf: piece)
                    default:
                        break
                    }
                    return true
                }
                guard let head else { throw malformed("no response head") }
                if head.keepAlive { checkin(socket) } else { socket.close() }
                return HTTPClientResponse(status: head.status, headers: head.headers, body: collected)
            } catch {
                socket.close()
                // A kept-alive connection the server closed meanwhile fails before any byte of
                // a response: retrying on a fresh one is safe for idempotent requests.
                if reused && idempotent && !parser.hasStarted
                    && (error.kind == .connectionClosed || error.kind == .cannotConnect) {
                    continue
                }
                throw error
            }
        }
    }

    private func streamBlocking(
        _ method: HTTPMethod, _ target: String, headers: HTTPHeaders, body: [UInt8]
    ) throws(HTTPClientError) -> HTTPClientStreamingResponse {
        let socket = try connect()
        var parser = HTTPResponseParser(requestMethod: method)
        var head: HTTPResponseHead?
        var early: [[UInt8]] = []
        var ended = false
        do throws(HTTPClientError) {
            try write(requestBytes(method, target, headers: headers, body: body), to: socket)
            try read(from: socket, parser: &parser, idleDeadline: true) { event throws(HTTPClientError) in
                switch event {
                case .head(let value): head = value
                case .body(let piece): early.append(piece)
                case .end: ended = true
                default: break
                }
                return head == nil  // stop once the head is here; the rest streams
            }
        } catch {
            socket.close()
            throw error
        }
        guard let head else {
            socket.close()
            throw malformed("no response head")
        }
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        for piece in early { continuation.yield(piece) }
        if ended {
            socket.close()
            continuation.finish()
        } else {
            continuation.onTermination = { _ in socket.shutdown() }
            let parserState = parser
            // Lifetime: until the body ends, the connection fails, or the consumer stops
            // iterating (onTermination shuts the socket down, which wakes the read).
            Self.startThread { [self] in
                var parser = parserState
                do {
                    try read(from: socket, parser: &parser, idleDeadline: false) { event throws(HTTPClientError) in
                        if case .body(let piece) = event {
                            if case .terminated = continuation.yield(piece) { return false }
                        }
                        return true
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
                socket.close()
            }
        }
        return HTTPClientStreamingResponse(status: head.status, headers: head.headers, body: stream)
    }

    /// Feeds received bytes to `parser` and its events to `onEvent` until the response ends
    /// or `onEvent` returns false.
    private func read(
        from socket: Socket, parser: inout HTTPResponseParser, idleDeadline: Bool,
        _ onEvent: (HTTPResponseParser.Event) throws(HTTPClientError) -> Bool
    ) throws(HTTPClientError) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            // Drain what is parsed already.
            while true {
                let event = parser.next()
                switch event {
                case .needMoreData:
                    break
                case .failure(let error):
                    throw malformed(error.message)
                case .end:
                    _ = try onEvent(event)
                    return
                case .head, .body:
                    if try !onEvent(event) { return }
                    continue
                }
                break
            }
            let deadline = idleDeadline ? ContinuousClock.now.advanced(by: settings.readTimeout) : nil
            guard socket.waitUntilReadable(deadline: deadline) else {
                throw HTTPClientError(.timedOut, "\(serverName) did not answer within \(settings.readTimeout)")
            }
            let result = buffer.withUnsafeMutableBytes { socket.receive(into: $0) }
            switch result {
            case .transferred(let count):
                buffer.withUnsafeBytes { parser.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            case .wouldBlock:
                continue
            case .endOfFile:
                if socket.isClosed { return }
                guard parser.hasStarted else {
                    throw HTTPClientError(.connectionClosed, "\(serverName) closed the connection without answering")
                }
                switch parser.finishAtEndOfFile() {
                case .end:
                    _ = try onEvent(.end)
                    return
                default:
                    throw HTTPClientError(.connectionClosed, "\(serverName) closed the connection before the response was complete")
                }
            case .failed(let error):
                throw HTTPClientError(.connectionClosed, "connection to \(serverName) failed: \(error.reason)")
            }
        }
    }

    // MARK: Connections

    private var serverName: String { "\(settings.serviceName) at \(address)" }

    private func connect() throws(HTTPClientError) -> Socket {
        do {
            return try Socket.connect(host: host, port: port, timeout: settings.connectTimeout)
        } catch {
            var message = "cannot connect to \(serverName): \(error.reason)"
            if let hint = settings.unreachableHint { message += " — \(hint)" }
            throw HTTPClientError(.cannotConnect, message)
        }
    }

    /// An idle kept-alive connection if one is still usable, else a new one.
    private func checkout() throws(HTTPClientError) -> (Socket, reused: Bool) {
        while let socket = idle.withLock({ $0.popLast() }) {
            // Readable while idle means the server closed it (or sent garbage): discard.
            if socket.waitUntilReadable(deadline: .now) {
                socket.close()
                continue
            }
            return (socket, true)
        }
        return (try connect(), false)
    }

    private func checkin(_ socket: Socket) {
        let kept = idle.withLock { sockets -> Bool in
            guard sockets.count < Self.maxIdleConnections else { return false }
            sockets.append(socket)
            return true
        }
        if !kept { socket.close() }
    }

    private func write(_ bytes: [UInt8], to socket: Socket) throws(HTTPClientError) {
        do {
            try socket.sendAll(bytes, deadline: ContinuousClock.now.advanced(by: settings.readTimeout))
        } catch {
            throw HTTPClientError(.connectionClosed, "cannot send to \(serverName): \(error.reason)")
        }
    }

    private func requestBytes(_ method: HTTPMethod, _ target: String, headers: HTTPHeaders, body: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + body.count)
        bytes.append(contentsOf: method.rawValue.utf8)
        bytes.append(0x20)
        if !target.hasPrefix("/") { bytes.append(UInt8(ascii: "/")) }
        bytes.append(contentsOf: target.utf8.lazy.filter { $0 > 0x20 && $0 != 0x7F })
        bytes.append(contentsOf: " HTTP/1.1\r\n".utf8)
        if !headers.contains("Host") {
            bytes.append(contentsOf: "Host: \(host.contains(":") ? "[\(host)]" : host):\(port)\r\n".utf8)
        }
        for field in headers where !HTTPHeaders.namesMatch(field.name, "Content-Length") {
            bytes.append(contentsOf: field.name.utf8.lazy.filter { $0 != 0x0D && $0 != 0x0A })
            bytes.append(contentsOf: ": ".utf8)
            bytes.append(contentsOf: field.value.utf8.lazy.filter { $0 != 0x0D && $0 != 0x0A })
            bytes.append(contentsOf: "\r\n".utf8)
        }
        if !body.isEmpty || method == .post || method == .put || method == .patch {
            bytes.append(contentsOf: "Content-Length: \(body.count)\r\n".utf8)
        }
        bytes.append(contentsOf: "\r\n".utf8)
        bytes.append(contentsOf: body)
        return bytes
    }

    private func malformed(_ detail: String) -> HTTPClientError {
        HTTPClientError(.malformedResponse, "\(serverName) sent a malformed response: \(detail)")
    }
}
