import Foundation
import HTTP
import Testing

@Suite("HTTP router") struct HTTPRouterTests {
    func router() -> HTTPRouter {
        var router = HTTPRouter()
        router.get("/v1/jobs") { _ in .text("list") }
        router.post("/v1/jobs") { _ in .text("register") }
        router.post("/v1/jobs/parse") { _ in .text("parse") }
        router.get("/v1/job/:id") { request in .text("job \(request.pathParameters["id"] ?? "?")") }
        router.get("/v1/job/:id/allocations") { request in .text("allocs of \(request.pathParameters["id"] ?? "?")") }
        router.get("/v1/client/fs/logs/:alloc/*task") { request in
            .text("\(request.pathParameters["alloc"] ?? "") \(request.pathParameters["task"] ?? "")")
        }
        return router
    }

    func text(_ response: HTTPResponse) -> String {
        String(decoding: response.bodyBytes ?? [], as: UTF8.self)
    }

    @Test func pathParametersArePercentDecoded() async {
        let response = await router().route(HTTPRequest(method: .get, target: "/v1/job/my%2Fjob/allocations?x=1"))
        #expect(text(response) == "allocs of my/job")
    }

    @Test func literalSegmentsWinOverParameters() async {
        #expect(text(await router().route(HTTPRequest(method: .post, target: "/v1/jobs/parse"))) == "parse")
        #expect(text(await router().route(HTTPRequest(method: .get, target: "/v1/job/web"))) == "job web")
    }

    @Test func aRestParameterCapturesTheRemainingPath() async {
        #expect(text(await router().route(HTTPRequest(method: .get, target: "/v1/client/fs/logs/a1/b/c"))) == "a1 b/c")
    }

    @Test func anUnknownPathIsA404JSONError() async throws {
        let response = await router().route(HTTPRequest(method: .get, target: "/v1/nothing"))
        #expect(response.status == .notFound)
        #expect(response.headers["Content-Type"] == "application/json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.bodyBytes ?? [])) as? [String: Any])
        #expect(object["code"] as? Int == 404)
        #expect((object["message"] as? String)?.contains("/v1/nothing") == true)
    }

    @Test func aWrongMethodIsA405WithAllow() async throws {
        let response = await router().route(HTTPRequest(method: .delete, target: "/v1/jobs"))
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["Allow"] == "GET, HEAD, POST")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.bodyBytes ?? [])) as? [String: Any])
        #expect(object["code"] as? Int == 405)
    }

    @Test func headIsServedByTheGetHandler() async {
        #expect(text(await router().route(HTTPRequest(method: .head, target: "/v1/jobs"))) == "list")
    }

    @Test func errorBodiesEscapeTheirMessage() throws {
        let response = HTTPResponse.error(.badRequest, "line \"1\"\n\\ \u{01}")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.bodyBytes ?? [])) as? [String: Any])
        #expect(object["message"] as? String == "line \"1\"\n\\ \u{01}")
        #expect(object["code"] as? Int == 400)
    }
}
