import Foundation

/// A response a handler returns. The server adds `Content-Length` (or chunked framing for a
/// stream) and `Connection`; handlers set everything else.
public struct HTTPResponse: Sendable {
    /// The body: bytes known up front, or a stream the handler fills over time (`logs -f`,
    /// blocking queries). The server stops iterating — and the stream's `onTermination` runs —
    /// when the client goes away or the server shuts down, so producers can stop as well.
    public enum Body: Sendable {
        case bytes([UInt8])
        case stream(AsyncStream<[UInt8]>)
    }

    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: Body

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = .bytes(body)
    }

    /// A streamed response, sent with chunked encoding to HTTP/1.1 clients.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), stream: AsyncStream<[UInt8]>) {
        self.status = status
        self.headers = headers
        self.body = .stream(stream)
    }

    /// A plain-text response.
    public static func text(_ text: String, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array(text.utf8))
    }

    /// A JSON response from bytes the caller already encoded.
    public static func json(_ bytes: [UInt8], status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var all = headers
        all.set("Content-Type", "application/json")
        return HTTPResponse(status: status, headers: all, body: bytes)
    }

    /// A JSON response encoding `value` with `encoder`; an encoding failure becomes a 500 error.
    public static func json<Value: Encodable>(
        _ value: Value, status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(),
        encoder: JSONEncoder = JSONEncoder()
    ) -> HTTPResponse {
        do {
            // Built here rather than through `json(_: [UInt8] …)`: `[UInt8]` is Encodable too, and
            // that call resolved back to this function, recursing until memory ran out.
            let bytes = Array(try encoder.encode(value))
            var all = headers
            all.set("Content-Type", "application/json")
            return HTTPResponse(status: status, headers: all, body: bytes)
        } catch {
            return .error(.internalServerError, "cannot encode the response: \(error)")
        }
    }

    /// The API's error shape: `{"code": <status>, "message": "..."}` with that status.
    public static func error(_ status: HTTPStatus, _ message: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var body: [UInt8] = []
        body.reserveCapacity(message.utf8.count + 32)
        body.append(contentsOf: #"{"code":"#.utf8)
        body.append(contentsOf: String(status.code).utf8)
        body.append(contentsOf: #","message":""#.utf8)
        JSONText.appendEscaped(message, to: &body)
        body.append(contentsOf: #""}"#.utf8)
        return json(body, status: status, headers: headers)
    }

    /// The body bytes, when not streamed.
    public var bodyBytes: [UInt8]? {
        if case .bytes(let bytes) = body { return bytes }
        return nil
    }
}
