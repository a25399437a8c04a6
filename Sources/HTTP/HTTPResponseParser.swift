/// An incremental HTTP/1.x response parser for the client. Pure, like `HTTPRequestParser`;
/// body bytes come out as they arrive, so a streamed (`logs -f`) body never has to end.
///
/// Interim 1xx responses (e.g. `100 Continue`) are skipped. A response without
/// `Content-Length` or chunked framing runs until the connection closes: call
/// `finishAtEndOfFile()` then.
public struct HTTPResponseParser: Sendable {
    public enum Event: Sendable {
        case head(HTTPResponseHead)
        /// The next piece of the (de-chunked) body.
        case body([UInt8])
        /// The response is complete.
        case end
        case needMoreData
        case failure(HTTPParseError)
    }

    private enum State: Sendable {
        case statusLine
        case headers
        case fixedBody(remaining: Int)
        case untilClose
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case done
        case failed(HTTPParseError)
    }

    public let limits: HTTPParserLimits
    private let requestMethod: HTTPMethod
    private var input = HTTPByteBuffer()
    private var state = State.statusLine
    private var version = HTTPVersion.http1_1
    private var status = HTTPStatus.ok
    private var headers = HTTPHeaders()
    private var headerBytes = 0

    /// `requestMethod` matters because a response to HEAD has headers but never a body.
    public init(limits: HTTPParserLimits = HTTPParserLimits(), requestMethod: HTTPMethod = .get) {
        self.limits = limits
        self.requestMethod = requestMethod
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        input.append(bytes)
    }

    public mutating func append<C: Collection>(contentsOf bytes: C) where C.Element == UInt8 {
        input.append(contentsOf: bytes)
    }

    /// Whether any byte of the response has been received.
    public var hasStarted: Bool {
        if case .statusLine = state { return !input.isEmpty }
        return true
    }

    public mutating func next() -> Event {
        while true {
            switch state {
            case .failed(let error):
                return .failure(error)
            case .done:
                return .end

            case .statusLine:
                switch input.takeLine(limit: limits.maxRequestLineBytes) {
                case .needMoreData: return .needMoreData
                case .tooLong: return fail("the status line is too long")
                case .line(let range):
                    if range.isEmpty { continue }
                    guard parseStatusLine(input[range]) else { return fail("malformed status line") }
                    state = .headers
                }

            case .headers:
                switch input.takeLine(limit: limits.maxHeaderBytes - headerBytes) {
                case .needMoreData: return .needMoreData
                case .tooLong: return fail("the response headers are too large")
                case .line(let range):
                    if range.isEmpty {
                        if let event = finishHead() { return event }
                        continue
                    }
                    headerBytes += range.count + 2
                    guard headers.count < limits.maxHeaderCount, let field = HTTPSyntax.field(input[range]) else {
                        return fail("malformed or too many response headers")
                    }
                    headers.add(field.name, field.value)
                }

            case .fixedBody(let remaining):
                if input.isEmpty { return .needMoreData }
                let piece = input.take(upTo: remaining)
                state = piece.count == remaining ? .done : .fixedBody(remaining: remaining - piece.count)
                return .body(Array(piece))

            case .untilClose:
                if input.isEmpty { return .needMoreData }
                return .body(Array(input.take(upTo: input.count)))

            case .chunkSize:
                switch input.takeLine(limit: 1024) {
                case .needMoreData: return .needMoreData
                case .tooLong: return fail("chunk size line is too long")
                case .line(let range):
                    guard let size = HTTPSyntax.chunkSize(input[range]) else { return fail("malformed chunk size") }
                    state = size == 0 ? .trailers : .chunkData(remaining: size)
                }

            case .chunkData(let remaining):
                if input.isEmpty { return .needMoreData }
                let piece = input.take(upTo: remaining)
                state = piece.count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - piece.count)
                return .body(Array(piece))

            case .chunkDataEnd:
                switch input.takeLine(limit: 0) {
                case .needMoreData: return .needMoreData
                case .tooLong: return fail("chunk data is longer than its size")
                case .line: state = .chunkSize
                }

            case .trailers:
                switch input.takeLine(limit: max(0, limits.maxHeaderBytes - headerBytes)) {
                case .needMoreData: return .needMoreData
                case .tooLong: return fail("the response trailers are too large")
                case .line(let range):
                    if range.isEmpty {
                        state = .done
                        return .end
                    }
                    headerBytes += range.count + 2
                }
            }
        }
    }

    /// The connection closed: ends a body that runs until close, fails anything unfinished.
    public mutating func finishAtEndOfFile() -> Event {
        switch state {
        case .untilClose, .done:
            state = .done
            return .end
        case .failed(let error):
            return .failure(error)
        default:
            return fail("the connection closed before the response was complete")
        }
    }

    private mutating func parseStatusLine(_ line: ArraySlice<UInt8>) -> Bool {
        guard line.count >= 12, line.starts(with: "HTTP/1.".utf8) else { return false }
        let start = line.startIndex
        switch line[start + 7] {
        case UInt8(ascii: "1"): version = .http1_1
        case UInt8(ascii: "0"): version = .http1_0
        default: return false
        }
        guard line[start + 8] == 0x20, let code = HTTPSyntax.decimal(line[(start + 9)..<(start + 12)]) else { return false }
        guard line.count == 12 || line[start + 12] == 0x20 else { return false }
        let reason = line.count > 13 ? HTTPSyntax.string(line[(start + 13)...]) : nil
        status = HTTPStatus(code: code, reasonPhrase: reason)
        return true
    }

    private mutating func finishHead() -> Event? {
        let head = HTTPResponseHead(version: version, status: status, headers: headers)
        headers = HTTPHeaders()
        headerBytes = 0
        if (100..<200).contains(status.code) && status.code != 101 {
            state = .statusLine  // interim response: the real one follows
            return nil
        }
        if requestMethod == .head || status.forbidsBody {
            state = .done
            return .head(head)
        }
        switch HTTPSyntax.isChunked(head.headers) {
        case .failure(let error): return fail(error.message)
        case .success(true):
            state = .chunkSize
            return .head(head)
        case .success(false):
            break
        }
        switch HTTPSyntax.contentLength(head.headers) {
        case .failure(let error): return fail(error.message)
        case .success(let length?):
            state = length == 0 ? .done : .fixedBody(remaining: length)
        case .success(nil):
            state = .untilClose
        }
        return .head(head)
    }

    private mutating func fail(_ message: String) -> Event {
        let error = HTTPParseError(.badRequest, message)
        state = .failed(error)
        return .failure(error)
    }
}
