import Wire

/// Where one manager listens, as a joined node needs it: the RPC port (Raft and the worker
/// channels), the HTTP API, and gossip. `host:port` text, as the agent options write them.
public struct ManagerAddresses: Sendable, Hashable {
    public var name: String
    public var rpc: String
    public var http: String
    public var gossip: String

    public init(name: String, rpc: String, http: String, gossip: String) {
        self.name = name
        self.rpc = rpc
        self.http = http
        self.gossip = gossip
    }

    func write(to writer: inout WireWriter) {
        writer.writeString(name)
        writer.writeString(rpc)
        writer.writeString(http)
        writer.writeString(gossip)
    }

    init(reading reader: inout WireReader) throws(WireError) {
        name = try reader.readString("manager.name", limit: 256)
        rpc = try reader.readString("manager.rpc", limit: 300)
        http = try reader.readString("manager.http", limit: 300)
        gossip = try reader.readString("manager.gossip", limit: 300)
    }
}
