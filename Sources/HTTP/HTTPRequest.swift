/// A complete request as the parser produced it, body included (bodies are bounded by
/// `HTTPParserLimits.maxBodyBytes`, so buffering them whole is safe).
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The request target as sent, e.g. `/v1/jobs?prefix=web`.
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Values of `:name` segments of the route that matched, percent-decoded (set by `HTTPRouter`).
    public var pathParameters: [String: String] = [:]

    public init(
        method: HTTPMethod, target: String, version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The path part of the target, still percent-encoded (so `%2F` never splits a segment).
    public var path: Substring {
        if let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            return target[..<mark]
        }
        return target[...]
    }

    /// The raw query string after `?`, or "".
    public var rawQuery: Substring {
        if let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            return target[target.utf8.index(after: mark)...]
        }
        return ""
    }

    /// Query parameters in order, percent-decoded, `+` read as a space.
    public var queryItems: [(name: String, value: String)] {
        rawQuery.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let equals = pair.firstIndex(of: "=") {
                return (PercentDecoding.decode(pair[..<equals], plusAsSpace: true),
                        PercentDecoding.decode(pair[pair.index(after: equals)...], plusAsSpace: true))
            }
            return (PercentDecoding.decode(pair, plusAsSpace: true), "")
        }
    }

    /// The first value of query parameter `name`, or nil.
    public func queryValue(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// Whether the client wants the connection kept open after the response: HTTP/1.1 unless
    /// `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`.
    public var keepAlive: Bool {
        switch version {
        case .http1_1: !headers.listContains("Connection", token: "close")
        case .http1_0: headers.listContains("Connection", token: "keep-alive")
        }
    }

    /// The body as UTF-8 text (invalid sequences replaced).
    public var bodyText: String {
        String(decoding: body, as: UTF8.self)
    }
}
