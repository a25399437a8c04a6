import Foundation
import HTTP
import Platform
import Testing

@Suite("HTTP server") struct HTTPServerTests {
    static let echo: HTTPServer.Handler = { request in
        HTTPResponse.text("\(request.method) \(request.target) \(request.body.count)")
    }

    @Test func aClientGetsTheHandlersResponse() async throws {
        try await withServer(handler: Self.echo) { server in
            let client = try HTTPClient(address: server.address)
            let response = try await client.send(.post, "/v1/jobs?x=1", body: Array("hello".utf8))
            #expect(response.status == .ok)
            #expect(response.bodyText == "POST /v1/jobs?x=1 5")
        }
    }
}
