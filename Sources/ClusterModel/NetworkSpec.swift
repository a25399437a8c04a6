/// A network a group (or, in the legacy form, a task) asks for, with its named ports.
public struct NetworkSpec: Sendable, Hashable, Codable {
    public var mode: String
    public var mbits: Int
    public var hostname: String
    /// Ports the node must give exactly (`static`).
    public var reservedPorts: [Port]
    /// Ports the node picks from its dynamic range.
    public var dynamicPorts: [Port]
    public var dns: DNSConfig?

    public init(
        mode: String = "host", mbits: Int = 0, hostname: String = "", reservedPorts: [Port] = [],
        dynamicPorts: [Port] = [], dns: DNSConfig? = nil
    ) {
        self.mode = mode
        self.mbits = mbits
        self.hostname = hostname
        self.reservedPorts = reservedPorts
        self.dynamicPorts = dynamicPorts
        self.dns = dns
    }

    public struct Port: Sendable, Hashable, Codable {
        /// The name tasks use to refer to the port (`NOMAD_PORT_<label>`).
        public var label: String
        /// The host port; 0 for a dynamic port.
        public var value: Int
        /// The port inside the task's network namespace; 0 means the same as `value`.
        public var to: Int
        public var hostNetwork: String

        public init(label: String, value: Int = 0, to: Int = 0, hostNetwork: String = "default") {
            self.label = label
            self.value = value
            self.to = to
            self.hostNetwork = hostNetwork
        }
    }

    public struct DNSConfig: Sendable, Hashable, Codable {
        public var servers: [String]
        public var searches: [String]
        public var options: [String]

        public init(servers: [String] = [], searches: [String] = [], options: [String] = []) {
            self.servers = servers
            self.searches = searches
            self.options = options
        }
    }
}
