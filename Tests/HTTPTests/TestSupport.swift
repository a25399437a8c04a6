import Foundation
import Glibc
import HTTP
import Platform
import Synchronization

/// Short timeouts so tests about deadlines finish quickly.
/// Timeouts default to a minute: on a loaded 2-core machine a test thread can be starved for
/// seconds between two writes, and only the tests about timeouts should ever meet one.
func testSettings(
    maxConnections: Int = 4096, headerReadTimeout: Duration = .seconds(60), idleTimeout: Duration = .seconds(60),
    writeTimeout: Duration = .seconds(60), shutdownGracePeriod: Duration = .seconds(60),
    maxBodyBytes: Int = 10 * 1024 * 1024
) -> HTTPServerSettings {
    HTTPServerSettings(
        host: "127.0.0.1", port: 0, limits: HTTPParserLimits(maxBodyBytes: maxBodyBytes),
        maxConnections: maxConnections, headerReadTimeout: headerReadTimeout, idleTimeout: idleTimeout,
        writeTimeout: writeTimeout, shutdownGracePeriod: shutdownGracePeriod)
}

/// Starts a server, runs `body`, and always shuts the server down.
func withServer<R>(
    _ settings: HTTPServerSettings = testSettings(),
    handler: @escaping HTTPServer.Handler,
    _ body: (HTTPServer) async throws -> R
) async throws -> R {
    let server = HTTPServer(settings: settings, handler: handler)
    try server.start()
    do {
        let result = try await body(server)
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
/// Deadlines in these tests are generous (60 s) because the whole suite shares two cores and
/// one small concurrency pool with CPU-heavy suites; when things work they end in milliseconds.
func eventually(timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

/// A raw client socket for sending hand-made bytes and reading what comes back.
final class RawConnection: Sendable {
    let socket: Socket

    init(port: Int) throws {
        socket = try Socket.connect(host: "127.0.0.1", port: port, timeout: .seconds(5))
    }

    deinit { socket.close() }

    func send(_ text: String) throws {
        try socket.sendAll(Array(text.utf8), deadline: ContinuousClock.now.advanced(by: .seconds(5)))
    }

    func send(bytes: [UInt8]) throws {
        try socket.sendAll(bytes, deadline: ContinuousClock.now.advanced(by: .seconds(5)))
    }

    /// Reads until `predicate` holds for everything read so far, the peer closes, or `timeout`.
    /// The blocking wait runs on a thread of its own, not on the (small) Swift concurrency pool
    /// that the server's handlers need.
    func read(
        timeout: Duration = .seconds(60), until predicate: @escaping @Sendable (String) -> Bool = { _ in false }
    ) async -> (text: String, closed: Bool) {
        let socket = self.socket
        return await withCheckedContinuation { continuation in
            // A thread of its own: Dispatch's global queues have about one thread per core on Linux.
            Thread {
                continuation.resume(returning: RawConnection.readBlocking(socket, timeout: timeout, until: predicate))
            }.start()
        }
    }

    private static func readBlocking(_ socket: Socket, timeout: Duration, until predicate: (String) -> Bool) -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            if predicate(String(decoding: received, as: UTF8.self)) { return (String(decoding: received, as: UTF8.self), false) }
            guard socket.waitUntilReadable(deadline: deadline) else { return (String(decoding: received, as: UTF8.self), false) }
            switch buffer.withUnsafeMutableBytes({ socket.receive(into: $0) }) {
            case .transferred(let count): received.append(contentsOf: buffer[0..<count])
            case .wouldBlock: continue
            case .endOfFile, .failed: return (String(decoding: received, as: UTF8.self), true)
            }
        }
    }

    /// Reads until the peer closes the connection (or `timeout`).
    func readToEnd(timeout: Duration = .seconds(60)) async -> (text: String, closed: Bool) {
        await read(timeout: timeout)
    }
}

func occurrences(of needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}

/// A thread-safe boolean that escaping closures and tasks can share.
final class Flag: Sendable {
    private let storage = Atomic<Bool>(false)
    func set() { storage.store(true, ordering: .releasing) }
    var isSet: Bool { storage.load(ordering: .acquiring) }
}
