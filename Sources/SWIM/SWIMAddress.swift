/// Where a member's gossip socket listens. The core only passes it through to the shell; it is
/// a host string (an IP literal, at most `maximumHostLength` bytes of UTF-8) and a port.
public struct SWIMAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    /// Bounds what a peer can make us store and echo: a DNS name is at most 253 bytes.
    public static let maximumHostLength = 255

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
