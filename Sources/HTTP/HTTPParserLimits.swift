/// Size limits the parsers enforce while reading, before anything is buffered beyond them.
public struct HTTPParserLimits: Sendable, Hashable {
    /// Longest request line (method, target, version) in bytes; longer → 414.
    public var maxRequestLineBytes: Int
    /// Total bytes of all header lines (and of trailers); more → 431.
    public var maxHeaderBytes: Int
    /// Most header fields in one request; more → 431.
    public var maxHeaderCount: Int
    /// Largest request body, whether sized by Content-Length or chunked; larger → 413.
    public var maxBodyBytes: Int

    public init(
        maxRequestLineBytes: Int = 8 * 1024,
        maxHeaderBytes: Int = 64 * 1024,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 10 * 1024 * 1024
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }
}
