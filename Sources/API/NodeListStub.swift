import ClusterModel

/// One row of `GET /v1/nodes`: enough for `roost node status` without the full attribute map.
public struct NodeListStub: Sendable, Hashable, Codable {
    public var id: NodeID
    public var name: String
    public var datacenter: String
    public var nodePool: String
    public var nodeClass: String
    public var address: String
    public var status: NodeStatus
    public var statusDescription: String
    public var eligibility: NodeEligibility
    public var drain: Bool
    public var drivers: [String: DriverHealth]
    public var version: String
    public var createIndex: UInt64
    public var modifyIndex: UInt64

    public init(_ node: Node) {
        id = node.id
        name = node.name
        datacenter = node.datacenter
        nodePool = node.nodePool
        nodeClass = node.nodeClass
        address = node.httpAddress
        status = node.status
        statusDescription = node.statusDescription
        eligibility = node.eligibility
        drain = node.drain
        drivers = node.drivers
        version = node.attributes["roost.version"] ?? ""
        createIndex = node.createIndex
        modifyIndex = node.modifyIndex
    }
}
