/// How a worker reaches one container registry (agent configuration, never job data): a
/// `registry "HOST[:PORT]" { insecure = true  username = "…"  password = "…" }` block in the
/// config file's `client` block, or `-insecure-registry HOST[:PORT]` on the command line.
public struct AgentRegistry: Sendable, Hashable {
    /// `host[:port]` as images name it (`registry.local:5000/team/app:1.2`).
    public var host: String
    /// Plain http instead of https: only for registries on a trusted network.
    public var insecure: Bool
    /// Basic-auth credentials, also used to ask the registry's token service for a token.
    public var username: String?
    public var password: String?

    public init(host: String, insecure: Bool = false, username: String? = nil, password: String? = nil) {
        self.host = host
        self.insecure = insecure
        self.username = username
        self.password = password
    }

    /// `host` or `host:port`, with no scheme, path or spaces.
    static func isHost(_ text: String) -> Bool {
        !text.isEmpty && !text.contains("/") && !text.contains("://")
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]_".contains($0)) }
    }
}
