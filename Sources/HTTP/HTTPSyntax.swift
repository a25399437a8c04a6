/// Character classes and small readers shared by the request and response parsers (RFC 9110 §5.6).
enum HTTPSyntax {
    /// `tchar`: the characters of methods and field names.
    static let isTokenByte: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = true }
        for byte in "!#$%&'*+-.^_`|~".utf8 { table[Int(byte)] = true }
        return table
    }()

    static func isToken(_ bytes: ArraySlice<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy { isTokenByte[Int($0)] }
    }

    /// Field values: visible characters, spaces, tabs and obs-text; no other control bytes.
    static func isFieldValue(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
    }

    static func trimmingWhitespace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var result = bytes
        while let first = result.first, first == 0x20 || first == 0x09 { result.removeFirst() }
        while let last = result.last, last == 0x20 || last == 0x09 { result.removeLast() }
        return result
    }

    static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// Parses one `name: value` line. Obsolete line folding and whitespace before the colon
    /// are rejected, as RFC 9112 §5 requires of servers.
    static func field(_ line: ArraySlice<UInt8>) -> HTTPHeaders.Field? {
        guard let first = line.first, first != 0x20, first != 0x09,
              let colon = line.firstIndex(of: UInt8(ascii: ":"))
        else { return nil }
        let name = line[line.startIndex..<colon]
        let value = trimmingWhitespace(line[(colon + 1)...])
        guard isToken(name), isFieldValue(value) else { return nil }
        return HTTPHeaders.Field(name: string(name), value: string(value))
    }

    /// A non-negative decimal without sign or spaces, refusing values that would overflow.
    static func decimal<S: Sequence>(_ bytes: S) -> Int? where S.Element == UInt8 {
        var value = 0
        var sawDigit = false
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            value = sum
            sawDigit = true
        }
        return sawDigit ? value : nil
    }

    /// Reads `Content-Length`: every value (and every element of a comma list) must be the
    /// same decimal; anything else is a framing error and must not be guessed at.
    static func contentLength(_ headers: HTTPHeaders) -> Result<Int?, HTTPParseError> {
        var length: Int?
        for value in headers.values(for: "Content-Length") {
            for part in value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let trimmed = trimmingWhitespace(ArraySlice(part))
                guard let parsed = decimal(trimmed) else {
                    return .failure(HTTPParseError(.badRequest, "invalid Content-Length \"\(value)\""))
                }
                if let length, length != parsed {
                    return .failure(HTTPParseError(.badRequest, "conflicting Content-Length values"))
                }
                length = parsed
            }
        }
        return .success(length)
    }

    /// Reads `Transfer-Encoding`: true for exactly `chunked`; 501 for any other coding.
    static func isChunked(_ headers: HTTPHeaders) -> Result<Bool, HTTPParseError> {
        let values = headers.values(for: "Transfer-Encoding")
        if values.isEmpty { return .success(false) }
        var codings: [String] = []
        for value in values {
            for part in value.split(separator: ",") {
                codings.append(string(trimmingWhitespace(ArraySlice(part.utf8))).lowercased())
            }
        }
        if codings == ["chunked"] { return .success(true) }
        if let other = codings.first(where: { $0 != "chunked" }) {
            return .failure(HTTPParseError(.notImplemented, "Transfer-Encoding \"\(other)\" is not supported; use chunked"))
        }
        return .failure(HTTPParseError(.badRequest, "invalid Transfer-Encoding \"\(values.joined(separator: ", "))\""))
    }

    /// Reads a chunk-size line (`1a;name=value`), or nil when it is not hex or would overflow.
    static func chunkSize(_ line: ArraySlice<UInt8>) -> Int? {
        var end = line.endIndex
        if let semicolon = line.firstIndex(of: UInt8(ascii: ";")) { end = semicolon }
        let digits = trimmingWhitespace(line[line.startIndex..<end])
        guard !digits.isEmpty, digits.count <= 15 else { return nil }
        var value = 0
        for byte in digits {
            guard let digit = PercentDecoding.hexValue(byte) else { return nil }
            value = value << 4 | Int(digit)
        }
        return value
    }
}
