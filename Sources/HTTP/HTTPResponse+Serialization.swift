extension HTTPResponse {
    /// Headers the server writes itself; a handler's own values for these are dropped so the
    /// framing is always the server's.
    static func isFramingHeader(_ name: String) -> Bool {
        HTTPHeaders.namesMatch(name, "Content-Length") || HTTPHeaders.namesMatch(name, "Transfer-Encoding")
            || HTTPHeaders.namesMatch(name, "Connection")
    }

    /// Appends the status line and headers. `contentLength` nil with `chunked` false means the
    /// body runs until the connection closes (a stream to an HTTP/1.0 client).
    func appendHead(
        to bytes: inout [UInt8], contentLength: Int?, chunked: Bool, keepAlive: Bool, requestVersion: HTTPVersion
    ) {
        bytes.append(contentsOf: "HTTP/1.1 ".utf8)
        bytes.append(contentsOf: String(status.code).utf8)
        bytes.append(0x20)
        bytes.append(contentsOf: status.reasonPhrase.utf8)
        bytes.append(contentsOf: "\r\n".utf8)
        for field in headers where !HTTPResponse.isFramingHeader(field.name) {
            // A handler's CR or LF must never split the head (response splitting).
            bytes.append(contentsOf: field.name.utf8.lazy.filter { $0 != 0x0D && $0 != 0x0A })
            bytes.append(contentsOf: ": ".utf8)
            bytes.append(contentsOf: field.value.utf8.lazy.filter { $0 != 0x0D && $0 != 0x0A })
            bytes.append(contentsOf: "\r\n".utf8)
        }
        if chunked {
            bytes.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
        } else if let contentLength, !status.forbidsBody {
            bytes.append(contentsOf: "Content-Length: ".utf8)
            bytes.append(contentsOf: String(contentLength).utf8)
            bytes.append(contentsOf: "\r\n".utf8)
        }
        if !keepAlive {
            bytes.append(contentsOf: "Connection: close\r\n".utf8)
        } else if requestVersion == .http1_0 {
            bytes.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        bytes.append(contentsOf: "\r\n".utf8)
    }

    /// Frames one chunk of a chunked body.
    static func appendChunk(_ chunk: [UInt8], to bytes: inout [UInt8]) {
        bytes.append(contentsOf: String(chunk.count, radix: 16).utf8)
        bytes.append(contentsOf: "\r\n".utf8)
        bytes.append(contentsOf: chunk)
        bytes.append(contentsOf: "\r\n".utf8)
    }

    static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)
}
