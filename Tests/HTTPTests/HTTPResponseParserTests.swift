import HTTP
import Testing

@Suite("HTTP response parser") struct HTTPResponseParserTests {
    /// Parses `text` fully and returns the head and the body.
    func parse(_ text: String, method: HTTPMethod = .get, endOfFile: Bool = false) -> (HTTPResponseHead?, String, ended: Bool, failed: Bool) {
        var parser = HTTPResponseParser(requestMethod: method)
        parser.append(contentsOf: Array(text.utf8))
        var head: HTTPResponseHead?
        var body: [UInt8] = []
        while true {
            var event = parser.next()
            if case .needMoreData = event, endOfFile { event = parser.finishAtEndOfFile() }
            switch event {
            case .head(let value): head = value
            case .body(let piece): body += piece
            case .end: return (head, String(decoding: body, as: UTF8.self), true, false)
            case .needMoreData: return (head, String(decoding: body, as: UTF8.self), false, false)
            case .failure: return (head, String(decoding: body, as: UTF8.self), false, true)
            }
        }
    }

    @Test func aContentLengthBodyIsReadExactly() {
        let (head, body, ended, _) = parse("HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nabcEXTRA")
        #expect(head?.status.code == 404)
        #expect(head?.status.reasonPhrase == "Not Found")
        #expect(body == "abc")
        #expect(ended)
    }

    @Test func aChunkedBodyIsDecoded() {
        let (_, body, ended, _) = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nlogs\r\n1\r\n!\r\n0\r\n\r\n")
        #expect(body == "logs!")
        #expect(ended)
    }

    @Test func aBodyWithoutFramingRunsUntilTheConnectionCloses() {
        let open = parse("HTTP/1.0 200 OK\r\n\r\npartial")
        #expect(!open.ended)
        let closed = parse("HTTP/1.0 200 OK\r\n\r\npartial", endOfFile: true)
        #expect(closed.1 == "partial")
        #expect(closed.ended)
    }

    @Test func aTruncatedBodyIsAFailureAtEndOfFile() {
        #expect(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", endOfFile: true).failed)
    }

    @Test func aResponseToHeadHasNoBody() {
        let (head, body, ended, _) = parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", method: .head)
        #expect(head != nil && body.isEmpty && ended)
    }

    @Test func interimContinueResponsesAreSkipped() {
        let (head, body, _, _) = parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")
        #expect(head?.status.code == 201)
        #expect(body == "ok")
    }

    @Test func aMalformedStatusLineFails() {
        #expect(parse("HTTP/1.1 20 OK\r\n\r\n").failed)
        #expect(parse("SMTP ready\r\n\r\n").failed)
    }
}
