/// Timeouts and wording of an `HTTPClient`. The defaults are the Roost CLI's.
public struct HTTPClientSettings: Sendable {
    /// How long to wait for a TCP connection (default 5 s).
    public var connectTimeout: Duration
    /// How long to wait for the next bytes of a response (default 60 s; blocking queries wait
    /// on the server for up to their `wait`). Streamed bodies (`stream`) wait without limit
    /// once their head has arrived, since a quiet `logs -f` is normal.
    public var readTimeout: Duration
    /// Largest body `send` buffers (default 256 MiB); `stream` has no limit.
    public var maxResponseBodyBytes: Int
    /// How the server is named in "cannot connect" errors.
    public var serviceName: String
    /// What to suggest when the server cannot be reached.
    public var unreachableHint: String?

    public init(
        connectTimeout: Duration = .seconds(5),
        readTimeout: Duration = .seconds(60),
        maxResponseBodyBytes: Int = 256 * 1024 * 1024,
        serviceName: String = "the Roost agent",
        unreachableHint: String? = "is `roost agent -dev` running? Set ROOST_ADDR or --address"
    ) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.maxResponseBodyBytes = maxResponseBodyBytes
        self.serviceName = serviceName
        self.unreachableHint = unreachableHint
    }
}
