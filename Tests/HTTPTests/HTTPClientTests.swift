import HTTP
import Platform
import Testing

@Suite("HTTP client") struct HTTPClientTests {
    @Test func anUnreachableAgentIsReportedWithAHint() async throws {
        // Bind and close a listener to find a port nobody listens on.
        let listener = try Listener(host: "127.0.0.1", port: 0)
        let port = listener.port
        listener.close()
        let client = try HTTPClient(address: "http://127.0.0.1:\(port)")
        do {
            _ = try await client.get("/v1/jobs")
            Issue.record("expected a connection error")
        } catch let error as HTTPClientError {
            #expect(error.kind == .cannotConnect)
            #expect(error.description == "cannot connect to the Roost agent at http://127.0.0.1:\(port): connection refused — is `roost agent -dev` running? Set ROOST_ADDR or --address")
        }
    }

    @Test func addressesAreNormalised() throws {
        #expect(try HTTPClient(address: "127.0.0.1:4646").address == "http://127.0.0.1:4646")
        #expect(try HTTPClient(address: "http://localhost:4646/").address == "http://localhost:4646")
        #expect(try HTTPClient(address: "http://[::1]:4646").address == "http://[::1]:4646")
        #expect(throws: HTTPClientError.self) { try HTTPClient(address: "https://x:1") }
        #expect(throws: HTTPClientError.self) { try HTTPClient(address: "http://x:notaport") }
    }

    @Test func aServerThatDoesNotAnswerTimesOut() async throws {
        let listener = try Listener(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let client = try HTTPClient(
            address: "http://127.0.0.1:\(listener.port)", settings: HTTPClientSettings(readTimeout: .milliseconds(200)))
        do {
            _ = try await client.get("/")
            Issue.record("expected a timeout")
        } catch let error as HTTPClientError {
            #expect(error.kind == .timedOut)
        }
    }

    @Test func apiErrorMessagesAreReadable() async throws {
        try await withServer(handler: { _ in .error(.notFound, "job \"web\" not found") }) { server in
            let client = try HTTPClient(address: server.address)
            let response = try await client.get("/v1/job/web")
            #expect(response.status == .notFound)
            #expect(response.errorMessage == "job \"web\" not found")
        }
    }

    @Test func aKeptAliveConnectionClosedByTheServerIsReplacedTransparently() async throws {
        try await withServer(testSettings(idleTimeout: .milliseconds(100)), handler: { _ in .text("ok") }) { server in
            let client = try HTTPClient(address: server.address)
            #expect(try await client.get("/").bodyText == "ok")
            #expect(await eventually { server.connectionCount == 0 })
            #expect(try await client.get("/").bodyText == "ok")
        }
    }
}
