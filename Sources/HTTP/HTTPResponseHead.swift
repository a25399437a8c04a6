/// The status line and headers of a response, as the client's parser reads them.
public struct HTTPResponseHead: Sendable {
    public var version: HTTPVersion
    public var status: HTTPStatus
    public var headers: HTTPHeaders

    public init(version: HTTPVersion = .http1_1, status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders()) {
        self.version = version
        self.status = status
        self.headers = headers
    }

    /// Whether the server will keep the connection open after this response.
    public var keepAlive: Bool {
        switch version {
        case .http1_1: !headers.listContains("Connection", token: "close")
        case .http1_0: headers.listContains("Connection", token: "keep-alive")
        }
    }
}
