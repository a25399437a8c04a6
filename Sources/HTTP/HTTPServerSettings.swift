/// How an `HTTPServer` binds and what it tolerates. The defaults suit the agent's API; tests
/// shorten the timeouts.
public struct HTTPServerSettings: Sendable {
    /// Address to bind; the dev agent uses loopback only.
    public var host: String
    /// Port to bind; 0 lets the kernel choose (read it back from `HTTPServer.port`).
    public var port: Int
    /// Request size limits (request line 8 KiB, headers 64 KiB / 100 fields, body 10 MiB).
    public var limits: HTTPParserLimits
    /// Connections held at once (default 4,096). Beyond it, a new connection gets a 503 and is closed.
    public var maxConnections: Int
    /// Time a client has to send a complete request head once it has started one (default
    /// 10 s): a client dribbling headers (slowloris) gets 408 and is disconnected. Also the
    /// longest pause allowed while a request body is arriving.
    public var headerReadTimeout: Duration
    /// How long a keep-alive connection may sit with no request before it is closed (default 60 s).
    public var idleTimeout: Duration
    /// How long a response may make no progress because the client does not read (default 60 s).
    public var writeTimeout: Duration
    /// How long `shutdown()` lets in-flight requests finish before closing them (default 10 s).
    public var shutdownGracePeriod: Duration
    /// Requests parsed ahead on one connection while an earlier one is being answered
    /// (default 16); reading pauses beyond it.
    public var maxPipelinedRequests: Int
    /// Whether `start()` raises the soft open-file limit to the hard limit (default true); see
    /// `SocketLimits.raiseOpenFileLimit()`.
    public var raiseOpenFileLimit: Bool

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        limits: HTTPParserLimits = HTTPParserLimits(),
        maxConnections: Int = 4096,
        headerReadTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60),
        writeTimeout: Duration = .seconds(60),
        shutdownGracePeriod: Duration = .seconds(10),
        maxPipelinedRequests: Int = 16,
        raiseOpenFileLimit: Bool = true
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.maxConnections = maxConnections
        self.headerReadTimeout = headerReadTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.shutdownGracePeriod = shutdownGracePeriod
        self.maxPipelinedRequests = maxPipelinedRequests
        self.raiseOpenFileLimit = raiseOpenFileLimit
    }
}
