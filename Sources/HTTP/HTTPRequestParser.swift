/// An incremental, bounded HTTP/1.1 request parser. Pure: it is fed bytes and returns events;
/// it never reads a socket or a clock, so it can be unit-tested and fuzzed on its own.
///
/// Every limit is checked as bytes arrive, before they are kept: a request line over
/// `maxRequestLineBytes` fails without waiting for its end, a `Content-Length` over
/// `maxBodyBytes` fails as soon as the head is complete (so the server answers 413 before
/// reading the body), and a chunked body fails as soon as its declared chunks exceed the limit.
/// After a failure the parser stays failed: the connection's framing can no longer be trusted.
public struct HTTPRequestParser: Sendable {
    public enum Event: Sendable {
        /// A complete request; call `next()` again for a pipelined one.
        case request(HTTPRequest)
        /// The head asked for `Expect: 100-continue` and its body has not started: the server
        /// should answer `100 Continue` (the body limit has already been checked).
        case continueExpected
        /// Feed more bytes with `append`.
        case needMoreData
        /// The request is malformed or over a limit; answer `error.status` and close.
        case failure(HTTPParseError)
    }

    private enum State: Sendable {
        case requestLine
        case headers
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case failed(HTTPParseError)
    }

    public let limits: HTTPParserLimits
    private var input = HTTPByteBuffer()
    private var state = State.requestLine
    private var method = HTTPMethod.get
    private var target = ""
    private var version = HTTPVersion.http1_1
    private var headers = HTTPHeaders()
    private var headerBytes = 0
    private var body: [UInt8] = []

    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        input.append(bytes)
    }

    public mutating func append<C: Collection>(contentsOf bytes: C) where C.Element == UInt8 {
        input.append(contentsOf: bytes)
    }

    /// Bytes received and not yet consumed by a completed request.
    public var bufferedByteCount: Int { input.count }

    /// Whether part of a request head has arrived and its end has not: the span a
    /// header-read deadline covers.
    public var isReadingHead: Bool {
        switch state {
        case .requestLine: !input.isEmpty
        case .headers: true
        default: false
        }
    }

    /// Whether a request has started (any state but "waiting for the first byte").
    public var isInsideRequest: Bool {
        if case .requestLine = state { return !input.isEmpty }
        return true
    }

    public var hasFailed: Bool {
        if case .failed = state { return true }
        return false
    }

    /// Parses as far as the buffered bytes allow.
    public mutating func next() -> Event {
        while true {
            switch state {
            case .failed(let error):
                return .failure(error)

            case .requestLine:
                switch input.takeLine(limit: limits.maxRequestLineBytes) {
                case .needMoreData: return .needMoreData
                case .tooLong:
                    return fail(.uriTooLong, "the request line is longer than \(limits.maxRequestLineBytes) bytes")
                case .line(let range):
                    if range.isEmpty { continue }  // RFC 9112 §2.2: ignore blank lines before a request
                    if let error = parseRequestLine(input[range]) { return fail(error) }
                    state = .headers
                }

            case .headers:
                switch input.takeLine(limit: limits.maxHeaderBytes - headerBytes) {
                case .needMoreData: return .needMoreData
                case .tooLong:
                    return fail(.requestHeaderFieldsTooLarge, "the request headers are larger than \(limits.maxHeaderBytes) bytes")
                case .line(let range):
                    if range.isEmpty {
                        if let event = finishHead() { return event }
                        continue
                    }
                    headerBytes += range.count + 2
                    guard headers.count < limits.maxHeaderCount else {
                        return fail(.requestHeaderFieldsTooLarge, "the request has more than \(limits.maxHeaderCount) headers")
                    }
                    guard let field = HTTPSyntax.field(input[range]) else {
                        return fail(.badRequest, "malformed header line")
                    }
                    headers.add(field.name, field.value)
                }

            case .fixedBody(let remaining):
                let piece = input.take(upTo: remaining)
                body.append(contentsOf: piece)
                if piece.count == remaining { return complete() }
                state = .fixedBody(remaining: remaining - piece.count)
                return .needMoreData

            case .chunkSize:
                switch input.takeLine(limit: 1024) {
                case .needMoreData: return .needMoreData
                case .tooLong: return fail(.badRequest, "chunk size line is too long")
                case .line(let range):
                    guard let size = HTTPSyntax.chunkSize(input[range]) else {
                        return fail(.badRequest, "malformed chunk size")
                    }
                    if size == 0 {
                        state = .trailers
                    } else if size > limits.maxBodyBytes - body.count {
                        return fail(.contentTooLarge, "the request body is larger than \(limits.maxBodyBytes) bytes")
                    } else {
                        state = .chunkData(remaining: size)
                    }
                }

            case .chunkData(let remaining):
                let piece = input.take(upTo: remaining)
                body.append(contentsOf: piece)
                if piece.count == remaining {
                    state = .chunkDataEnd
                } else {
                    state = .chunkData(remaining: remaining - piece.count)
                    return .needMoreData
                }

            case .chunkDataEnd:
                switch input.takeLine(limit: 0) {
                case .needMoreData: return .needMoreData
                case .tooLong: return fail(.badRequest, "chunk data is longer than its size")
                case .line: state = .chunkSize
                }

            case .trailers:
                switch input.takeLine(limit: max(0, limits.maxHeaderBytes - headerBytes)) {
                case .needMoreData: return .needMoreData
                case .tooLong:
                    return fail(.requestHeaderFieldsTooLarge, "the request trailers are larger than allowed")
                case .line(let range):
                    if range.isEmpty { return complete() }
                    headerBytes += range.count + 2
                    guard HTTPSyntax.field(input[range]) != nil else {
                        return fail(.badRequest, "malformed trailer line")
                    }
                    // Trailers are read for framing and then dropped: no handler here needs them.
                }
            }
        }
    }

    private mutating func parseRequestLine(_ line: ArraySlice<UInt8>) -> HTTPParseError? {
        guard let firstSpace = line.firstIndex(of: 0x20),
              let lastSpace = line.lastIndex(of: 0x20), firstSpace < lastSpace
        else { return HTTPParseError(.badRequest, "malformed request line") }
        let methodBytes = line[line.startIndex..<firstSpace]
        let targetBytes = line[(firstSpace + 1)..<lastSpace]
        let versionBytes = line[(lastSpace + 1)...]
        guard HTTPSyntax.isToken(methodBytes) else { return HTTPParseError(.badRequest, "malformed method") }
        guard !targetBytes.isEmpty, targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return HTTPParseError(.badRequest, "malformed request target")
        }
        if versionBytes.elementsEqual("HTTP/1.1".utf8) {
            version = .http1_1
        } else if versionBytes.elementsEqual("HTTP/1.0".utf8) {
            version = .http1_0
        } else if versionBytes.count == 8, versionBytes.starts(with: "HTTP/".utf8),
                  versionBytes.dropFirst(5).enumerated().allSatisfy({ $0.offset == 1 ? $0.element == 0x2E : ($0.element >= 0x30 && $0.element <= 0x39) }) {
            return HTTPParseError(.versionNotSupported, "only HTTP/1.0 and HTTP/1.1 are supported")
        } else {
            return HTTPParseError(.badRequest, "malformed HTTP version")
        }
        method = HTTPMethod(HTTPSyntax.string(methodBytes))
        guard let normalized = Self.originForm(HTTPSyntax.string(targetBytes), method: method) else {
            return HTTPParseError(.badRequest, "malformed request target")
        }
        target = normalized
        return nil
    }

    /// Accepts origin-form (`/path?query`), asterisk-form for OPTIONS, and absolute-form
    /// (`http://host/path`, which RFC 9112 §3.2.2 says servers must accept), reduced to its path.
    static func originForm(_ target: String, method: HTTPMethod) -> String? {
        if target.hasPrefix("/") { return target }
        if target == "*" { return method == .options ? target : nil }
        for scheme in ["http://", "https://"] where target.lowercased().hasPrefix(scheme) {
            let rest = target.dropFirst(scheme.count)
            guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
            let path = rest[slash...]
            return path.hasPrefix("/") ? String(path) : "/" + path
        }
        return nil
    }

    /// Decides the body framing once the head is complete; returns an event when there is
    /// one to report now.
    private mutating func finishHead() -> Event? {
        if version == .http1_1 {
            let hosts = headers.values(for: "Host")
            if hosts.count != 1 {
                return fail(.badRequest, hosts.isEmpty ? "missing Host header" : "more than one Host header")
            }
        }
        let chunked: Bool
        switch HTTPSyntax.isChunked(headers) {
        case .failure(let error): return fail(error)
        case .success(let value): chunked = value
        }
        let length: Int?
        switch HTTPSyntax.contentLength(headers) {
        case .failure(let error): return fail(error)
        case .success(let value): length = value
        }
        if chunked && length != nil {
            return fail(.badRequest, "both Transfer-Encoding and Content-Length are present")
        }
        if chunked && version == .http1_0 {
            return fail(.badRequest, "Transfer-Encoding is not allowed in HTTP/1.0")
        }
        if let length, length > limits.maxBodyBytes {
            return fail(.contentTooLarge, "the request body is larger than \(limits.maxBodyBytes) bytes")
        }
        var expectsContinue = false
        if let expectation = headers["Expect"] {
            guard expectation.lowercased() == "100-continue" else {
                return fail(.expectationFailed, "unsupported expectation \"\(expectation)\"")
            }
            expectsContinue = version == .http1_1
        }
        if chunked {
            state = .chunkSize
        } else if let length, length > 0 {
            body.reserveCapacity(min(length, 1 << 20))
            state = .fixedBody(remaining: length)
        } else {
            return complete()
        }
        return expectsContinue && input.isEmpty ? .continueExpected : nil
    }

    private mutating func complete() -> Event {
        let request = HTTPRequest(method: method, target: target, version: version, headers: headers, body: body)
        state = .requestLine
        headers = HTTPHeaders()
        headerBytes = 0
        body = []
        target = ""
        return .request(request)
    }

    private mutating func fail(_ status: HTTPStatus, _ message: String) -> Event {
        fail(HTTPParseError(status, message))
    }

    private mutating func fail(_ error: HTTPParseError) -> Event {
        state = .failed(error)
        return .failure(error)
    }
}
