/// A response whose body is read as it arrives (`HTTPClient.stream`). Stop iterating `body`
/// (or drop it) to close the connection.
public struct HTTPClientStreamingResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    /// Body pieces as they arrive (chunked framing removed); ends with the response, throws
    /// `HTTPClientError` if the connection fails.
    public var body: AsyncThrowingStream<[UInt8], any Error>
}
