/// A service a group or task registers for discovery, with its health checks.
public struct ServiceSpec: Sendable, Hashable, Codable {
    public var name: String
    /// A port label from the group's network, or a number.
    public var portLabel: String
    public var tags: [String]
    public var canaryTags: [String]
    /// `nomad` (built-in discovery) or `consul`.
    public var provider: String
    public var addressMode: String
    public var address: String
    public var meta: [String: String]
    public var canaryMeta: [String: String]
    public var checks: [CheckSpec]
    /// The task that provides the service, for group-level services.
    public var taskName: String

    public init(
        name: String = "", portLabel: String = "", tags: [String] = [], canaryTags: [String] = [],
        provider: String = "consul", addressMode: String = "auto", address: String = "",
        meta: [String: String] = [:], canaryMeta: [String: String] = [:], checks: [CheckSpec] = [],
        taskName: String = ""
    ) {
        self.name = name
        self.portLabel = portLabel
        self.tags = tags
        self.canaryTags = canaryTags
        self.provider = provider
        self.addressMode = addressMode
        self.address = address
        self.meta = meta
        self.canaryMeta = canaryMeta
        self.checks = checks
        self.taskName = taskName
    }
}

/// A health check of a service: `http`, `tcp`, `script` or `grpc`.
public struct CheckSpec: Sendable, Hashable, Codable {
    public var name: String
    public var type: String
    public var command: String
    public var args: [String]
    public var path: String
    public var protocolName: String
    public var method: String
    public var portLabel: String
    public var addressMode: String
    public var interval: Duration
    public var timeout: Duration
    public var initialStatus: String
    public var successBeforePassing: Int
    public var failuresBeforeCritical: Int
    public var header: [String: [String]]
    public var body: String
    public var taskName: String
    public var onUpdate: String
    public var grpcService: String
    public var grpcUseTLS: Bool
    public var tlsSkipVerify: Bool
    public var checkRestart: CheckRestart?

    public init(
        name: String = "", type: String = "", command: String = "", args: [String] = [], path: String = "",
        protocolName: String = "", method: String = "", portLabel: String = "", addressMode: String = "",
        interval: Duration = .zero, timeout: Duration = .zero, initialStatus: String = "",
        successBeforePassing: Int = 0, failuresBeforeCritical: Int = 0, header: [String: [String]] = [:],
        body: String = "", taskName: String = "", onUpdate: String = "require_healthy", grpcService: String = "",
        grpcUseTLS: Bool = false, tlsSkipVerify: Bool = false, checkRestart: CheckRestart? = nil
    ) {
        self.name = name
        self.type = type
        self.command = command
        self.args = args
        self.path = path
        self.protocolName = protocolName
        self.method = method
        self.portLabel = portLabel
        self.addressMode = addressMode
        self.interval = interval
        self.timeout = timeout
        self.initialStatus = initialStatus
        self.successBeforePassing = successBeforePassing
        self.failuresBeforeCritical = failuresBeforeCritical
        self.header = header
        self.body = body
        self.taskName = taskName
        self.onUpdate = onUpdate
        self.grpcService = grpcService
        self.grpcUseTLS = grpcUseTLS
        self.tlsSkipVerify = tlsSkipVerify
        self.checkRestart = checkRestart
    }

    /// Restart the task when the check stays unhealthy.
    public struct CheckRestart: Sendable, Hashable, Codable {
        public var limit: Int
        public var grace: Duration
        public var ignoreWarnings: Bool

        public init(limit: Int = 0, grace: Duration = .seconds(1), ignoreWarnings: Bool = false) {
            self.limit = limit
            self.grace = grace
            self.ignoreWarnings = ignoreWarnings
        }
    }
}
