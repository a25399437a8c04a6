import HTTP
import Testing

@Suite("HTTP request parser") struct HTTPRequestParserTests {
    /// Feeds `text` and returns the first event that is not "need more data".
    func parse(_ text: String, limits: HTTPParserLimits = HTTPParserLimits()) -> HTTPRequestParser.Event {
        var parser = HTTPRequestParser(limits: limits)
        parser.append(contentsOf: Array(text.utf8))
        return parser.next()
    }

    func request(_ event: HTTPRequestParser.Event) -> HTTPRequest? {
        if case .request(let request) = event { return request }
        return nil
    }

    func status(_ event: HTTPRequestParser.Event) -> Int? {
        if case .failure(let error) = event { return error.status.code }
        return nil
    }

    @Test func aSimpleGetIsParsedWithItsHeaders() throws {
        let parsed = try #require(request(parse("GET /v1/jobs?prefix=web HTTP/1.1\r\nHost: x\r\nX-Roost-Token:  abc \r\n\r\n")))
        #expect(parsed.method == .get)
        #expect(parsed.target == "/v1/jobs?prefix=web")
        #expect(parsed.path == "/v1/jobs")
        #expect(parsed.headers["x-roost-token"] == "abc")
        #expect(parsed.version == .http1_1)
        #expect(parsed.keepAlive)
        #expect(parsed.body.isEmpty)
    }

    @Test func aBodySizedByContentLengthIsRead() throws {
        let parsed = try #require(request(parse("POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")))
        #expect(parsed.bodyText == "hello")
    }

    @Test func bytesArrivingOneAtATimeGiveTheSameRequest() throws {
        let text = "PUT /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: t\r\n\r\n"
        var parser = HTTPRequestParser()
        var result: HTTPRequest?
        for byte in text.utf8 {
            parser.append(contentsOf: [byte])
            switch parser.next() {
            case .request(let request): result = request
            case .needMoreData: continue
            case .continueExpected: continue
            case .failure(let error): Issue.record("unexpected failure \(error)")
            }
        }
        #expect(result?.bodyText == "abcde")
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func pipelinedRequestsComeOutInOrder() {
        var parser = HTTPRequestParser()
        parser.append(contentsOf: Array("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nGET /3".utf8))
        #expect(request(parser.next())?.target == "/1")
        #expect(request(parser.next())?.target == "/2")
        guard case .needMoreData = parser.next() else {
            Issue.record("a partial third request must wait for more data")
            return
        }
        #expect(parser.isReadingHead)
    }

    @Test func aRequestLineOverTheLimitIsRejectedBeforeItEnds() {
        var parser = HTTPRequestParser(limits: HTTPParserLimits(maxRequestLineBytes: 100))
        parser.append(contentsOf: Array(("GET /" + String(repeating: "a", count: 200)).utf8))
        #expect(status(parser.next()) == 414)
    }

    @Test func headersOverTheByteLimitAreRejectedWith431() {
        let big = String(repeating: "v", count: 70 * 1024)
        #expect(status(parse("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(big)")) == 431)
    }

    @Test func moreThanTheAllowedNumberOfHeadersIsRejectedWith431() {
        let many = (0..<101).map { "X-H\($0): v\r\n" }.joined()
        #expect(status(parse("GET / HTTP/1.1\r\nHost: x\r\n\(many)\r\n")) == 431)
        let fine = (0..<99).map { "X-H\($0): v\r\n" }.joined()
        #expect(request(parse("GET / HTTP/1.1\r\nHost: x\r\n\(fine)\r\n")) != nil)
    }

    @Test func aContentLengthOverTheBodyLimitIsRejectedBeforeTheBodyArrives() {
        let limits = HTTPParserLimits(maxBodyBytes: 1000)
        #expect(status(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n", limits: limits)) == 413)
        #expect(status(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n")) == 400)
    }

    @Test func aChunkedBodyOverTheLimitIsRejected() {
        let limits = HTTPParserLimits(maxBodyBytes: 10)
        let text = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n"
        #expect(status(parse(text, limits: limits)) == 413)
        #expect(status(parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n")) == 400)
    }

    @Test(arguments: [
        "GET\r\n\r\n",
        "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",
        "GET  / HTTP/1.1\r\nHost: x\r\n\r\n",
        "G(T / HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET relative HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\u{01}\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
        "GET / HTTP/x.y\r\nHost: x\r\n\r\n",
    ])
    func malformedRequestsAreRejectedWith400(_ text: String) {
        #expect(status(parse(text)) == 400)
    }

    @Test func anUnsupportedTransferCodingIsRejectedWith501() {
        #expect(status(parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")) == 501)
    }

    @Test func anUnknownHTTPVersionIsRejectedWith505() {
        #expect(status(parse("GET / HTTP/2.0\r\nHost: x\r\n\r\n")) == 505)
    }

    @Test func http10NeedsNoHostAndClosesUnlessAskedToKeepAlive() throws {
        let plain = try #require(request(parse("GET / HTTP/1.0\r\n\r\n")))
        #expect(plain.version == .http1_0)
        #expect(!plain.keepAlive)
        let kept = try #require(request(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")))
        #expect(kept.keepAlive)
        let closed = try #require(request(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")))
        #expect(!closed.keepAlive)
    }

    @Test func expectContinueIsReportedBeforeTheBody() throws {
        var parser = HTTPRequestParser()
        parser.append(contentsOf: Array("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8))
        guard case .continueExpected = parser.next() else {
            Issue.record("expected continueExpected")
            return
        }
        parser.append(contentsOf: Array("ok".utf8))
        #expect(request(parser.next())?.bodyText == "ok")
        #expect(status(parse("POST / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n")) == 417)
    }

    @Test func aFailureIsSticky() {
        var parser = HTTPRequestParser()
        parser.append(contentsOf: Array("BAD\r\n".utf8))
        #expect(status(parser.next()) == 400)
        parser.append(contentsOf: Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(status(parser.next()) == 400)
        #expect(parser.hasFailed)
    }

    @Test func absoluteFormTargetsAreReducedToTheirPath() throws {
        let parsed = try #require(request(parse("GET http://example.com:80/v1/jobs?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")))
        #expect(parsed.target == "/v1/jobs?x=1")
    }

    @Test func queryParametersArePercentDecoded() {
        let request = HTTPRequest(method: .get, target: "/v1/jobs?prefix=a%20b&wait=5s&x=1+2&flag&bad=%zz")
        #expect(request.queryValue("prefix") == "a b")
        #expect(request.queryValue("wait") == "5s")
        #expect(request.queryValue("x") == "1 2")
        #expect(request.queryValue("flag") == "")
        #expect(request.queryValue("bad") == "%zz")
        #expect(request.queryValue("missing") == nil)
    }
}
