/// What an agent configuration file (`roost agent -config FILE`) sets; nil where the file
/// says nothing, so the defaults (and, above the file, the command-line flags) decide.
///
/// The file is HCL, read with the jobspec's generic parser and evaluator (so `locals`,
/// functions and `${...}` work as in a job file) and checked key by key
/// (`AgentConfig+Decoding.swift`); docs/agent-config.md lists the keys.
public struct AgentConfig: Sendable, Hashable {
    public var dataDirectory: String?
    public var name: String?
    public var datacenter: String?
    public var bindAddress: String?
    public var advertiseHTTP: String?
    public var advertiseRPC: String?
    public var advertiseSerf: String?
    public var cgroupParent: String?
    public var httpPort: Int?
    public var rpcPort: Int?
    public var serfPort: Int?
    public var serverEnabled: Bool?
    public var bootstrapExpect: Int?
    public var raftSnapshotThreshold: UInt64?
    public var dataEncryption: Bool?
    public var certificateValidity: Duration?
    public var workerDownGrace: Duration?
    public var jobGarbageThreshold: Duration?
    public var preemptionDefaults: AgentPreemptionDefaults?
    public var workerEnabled: Bool?
    public var workerServers: [String]?
    public var nodeMeta: [String: String]?
    public var retryJoin: [String]?
    public var encrypt: String?
    public var logLevel: String?
    public var registries: [AgentRegistry]?

    public init() {}

    /// Writes every value the file set into `options` (the flags are applied afterwards, so
    /// they win).
    func apply(to options: inout AgentOptions) {
        if let dataDirectory { options.dataDirectory = dataDirectory }
        if let name { options.nodeName = name }
        if let datacenter { options.datacenter = datacenter }
        if let bindAddress { options.bindAddress = bindAddress }
        if let advertiseHTTP { options.advertiseHTTP = advertiseHTTP }
        if let advertiseRPC { options.advertiseRPC = advertiseRPC }
        if let advertiseSerf { options.advertiseSerf = advertiseSerf }
        if let cgroupParent { options.cgroupParent = cgroupParent }
        if let httpPort { options.httpPort = httpPort }
        if let rpcPort { options.raftPort = rpcPort }
        if let serfPort { options.serfPort = serfPort }
        if let serverEnabled { options.server = serverEnabled }
        if let bootstrapExpect { options.bootstrapExpect = bootstrapExpect }
        if let raftSnapshotThreshold { options.raftSnapshotThreshold = raftSnapshotThreshold }
        if let dataEncryption { options.dataEncryption = dataEncryption }
        if let certificateValidity { options.certificateValidity = certificateValidity }
        if let workerDownGrace { options.workerDownGrace = workerDownGrace }
        if let jobGarbageThreshold { options.jobGarbageThreshold = jobGarbageThreshold }
        if let preemptionDefaults { options.preemptionDefaults = preemptionDefaults }
        if let workerEnabled { options.worker = workerEnabled }
        if let workerServers { options.workerServers = workerServers }
        if let nodeMeta { options.nodeMeta = nodeMeta }
        if let retryJoin { options.join = retryJoin }
        if let encrypt { options.encryptKey = encrypt }
        if let logLevel { options.logLevel = logLevel }
        if let registries { options.registries = registries }
    }
}
