/// One host port forwarded into an allocation's network namespace: what `port "http" { to =
/// 8080 }` in a bridge-mode group asks for, with the host port the scheduler assigned.
public struct BridgePortMapping: Sendable, Hashable, Codable {
    public var hostPort: Int
    public var containerPort: Int

    public init(hostPort: Int, containerPort: Int) {
        self.hostPort = hostPort
        self.containerPort = containerPort
    }
}
