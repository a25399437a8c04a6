/// How the agent talks to registries (agent configuration, not job data).
public struct RegistrySettings: Sendable {
    /// `host[:port]` of registries reached over plain http. Every other registry is https only.
    public var insecureRegistries: Set<String>
    /// Basic-auth credentials per `host[:port]`, also used to ask a token service for a token.
    public var credentials: [String: RegistryCredentials]
    /// Longest wait for any one response (or between two chunks of a download), so an unreachable
    /// or stuck registry fails the pull instead of hanging it.
    public var requestTimeoutSeconds: Double
    /// Longest a whole blob download may take.
    public var downloadTimeoutSeconds: Double

    public init(
        insecureRegistries: Set<String> = [], credentials: [String: RegistryCredentials] = [:],
        requestTimeoutSeconds: Double = 30, downloadTimeoutSeconds: Double = 3600
    ) {
        self.insecureRegistries = insecureRegistries
        self.credentials = credentials
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.downloadTimeoutSeconds = downloadTimeoutSeconds
    }
}

/// A registry user name and password (or token used as password).
public struct RegistryCredentials: Sendable, Hashable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}
