import ClusterModel
import Foundation
import HTTP
import Platform
import Testing

@testable import Supervisor

/// The real probes against listeners the tests start on 127.0.0.1, and script checks run as
/// processes.
@Suite struct HealthProberTests {
    static let prober = LiveCheckProber { _, command, arguments in
        .success(SpawnRequest(executable: command, arguments: arguments, environment: ["PATH": "/usr/bin:/bin"], workingDirectory: "/tmp"))
    }

    /// A server on 127.0.0.1 that answers every request with `answer`, on its event-loop
    /// thread. Not through a handler task: those need a thread of Swift's cooperative pool (two
    /// on a two-core machine), which CPU-bound synchronous tests of other suites running in
    /// parallel can hold for seconds, so checks timed out for want of an answer from the test's
    /// own server, not from anything the prober does.
    static func withServer(_ answer: @escaping @Sendable (HTTPRequest) -> HTTPResponse, _ body: (Int) async throws -> Void) async throws {
        let server = HTTPServer(
            settings: HTTPServerSettings(host: "127.0.0.1", port: 0, shutdownGracePeriod: .milliseconds(100), raiseOpenFileLimit: false),
            direct: { request, responder in
                responder.respond(answer(request))
                return true
            },
            handler: { request in answer(request) })
        try server.start()
        do {
            try await body(server.port)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    static func request(port: Int, method: String = "GET", path: String = "/health", headers: [String: [String]] = [:], body: String = "") -> CheckTarget {
        .http(HTTPCheckRequest(host: "127.0.0.1", port: port, method: method, path: path, headers: headers, body: body))
    }

    /// A port nothing listens on: bound, then closed.
    static func closedPort() throws -> Int {
        let listener = try Listener(host: "127.0.0.1", port: 0)
        let port = listener.port
        listener.close()
        return port
    }

    @Test func anHTTPCheckSendsItsMethodHeadersAndBodyAndPassesOn2xx() async throws {
        let seen = HealthLockedValue<String>("")
        try await Self.withServer({ request in
            seen.set("\(request.method) \(request.target) \(request.headers["X-Probe"] ?? "-") \(request.bodyText)")
            return .text("fine")
        }) { port in
            let outcome = await Self.prober.probe(
                Self.request(port: port, method: "POST", path: "/health?deep=1", headers: ["X-Probe": ["yes"]], body: "ping"),
                timeout: .seconds(5))
            #expect(outcome == CheckOutcome(.passing, "HTTP 200: fine"))
            #expect(seen.get() == "POST /health?deep=1 yes ping")
        }
    }

    @Test func anHTTPCheckIsCriticalOn500AndWarningOn429() async throws {
        try await Self.withServer({ request in
            request.target == "/busy" ? .text("slow down", status: HTTPStatus(code: 429)) : .text("broken", status: .internalServerError)
        }) { port in
            #expect(await Self.prober.probe(Self.request(port: port), timeout: .seconds(5)) == CheckOutcome(.critical, "HTTP 500: broken"))
            #expect(await Self.prober.probe(Self.request(port: port, path: "/busy"), timeout: .seconds(5)).status == .warning)
        }
    }

    @Test func anHTTPCheckIsCriticalWhenNothingListens() async throws {
        let outcome = await Self.prober.probe(Self.request(port: try Self.closedPort()), timeout: .seconds(5))
        #expect(outcome.status == .critical)
        #expect(outcome.output.hasPrefix("GET http://127.0.0.1:"))
    }

    @Test func aTCPCheckPassesWhenItConnectsAndIsCriticalWhenRefused() async throws {
        let listener = try Listener(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let open = await Self.prober.probe(.tcp(host: "127.0.0.1", port: listener.port), timeout: .seconds(5))
        #expect(open.status == .passing)
        let closed = await Self.prober.probe(.tcp(host: "127.0.0.1", port: try Self.closedPort()), timeout: .seconds(5))
        #expect(closed.status == .critical)
        #expect(closed.output.contains("TCP connect 127.0.0.1:"))
    }

    @Test func aScriptCheckReadsExitCodesAndOutput() async throws {
        let pass = await Self.prober.probe(.script(task: "web", command: "/bin/sh", arguments: ["-c", "echo all good"]), timeout: .seconds(10))
        #expect(pass == CheckOutcome(.passing, "all good"))
        let warn = await Self.prober.probe(.script(task: "web", command: "/bin/sh", arguments: ["-c", "echo degraded >&2; exit 1"]), timeout: .seconds(10))
        #expect(warn == CheckOutcome(.warning, "degraded"))
        let fail = await Self.prober.probe(.script(task: "web", command: "/bin/sh", arguments: ["-c", "exit 3"]), timeout: .seconds(10))
        #expect(fail == CheckOutcome(.critical, "exit code 3"))
    }

    @Test func aScriptCheckThatOverrunsItsTimeoutIsKilledAndCritical() async throws {
        let started = ContinuousClock.now
        let outcome = await Self.prober.probe(
            .script(task: "web", command: "/bin/sh", arguments: ["-c", "sleep 30 & sleep 30"]), timeout: .seconds(1))
        #expect(outcome == CheckOutcome(.critical, "timed out after 1s and was killed"))
        #expect(ContinuousClock.now - started < .seconds(20), "the probe does not wait for the script")
    }
}

/// A lock-protected box for values a test's server handler records.
final class HealthLockedValue<Value: Sendable>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
    func get() -> Value { lock.withLock { value } }
}
