import Foundation
import HTTP
import Testing

/// `HTTPResponse.json`: a value becomes a JSON body with its content type.
@Suite struct HTTPResponseJSONTests {
    struct Greeting: Encodable {
        var text: String
    }

    @Test func anEncodableValueBecomesAJSONBody() {
        let response = HTTPResponse.json(Greeting(text: "hi"), status: .created)
        #expect(response.status == .created)
        #expect(response.headers["Content-Type"] == "application/json")
        #expect(response.bodyBytes.map { String(decoding: $0, as: UTF8.self) } == #"{"text":"hi"}"#)
    }

    @Test func bytesAreSentAsTheyAre() {
        let response = HTTPResponse.json(Array("[1]".utf8))
        #expect(response.bodyBytes == Array("[1]".utf8))
        #expect(response.headers["Content-Type"] == "application/json")
    }
}
