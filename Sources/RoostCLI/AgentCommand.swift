import Jobspec

/// What `roost agent` was asked to run. The executable turns it into a manager and a worker.
public struct AgentOptions: Sendable, Hashable {
    public var dev: Bool
    /// The address the HTTP API listens on.
    public var bindAddress: String
    public var httpPort: Int
    /// Where state, allocation directories and logs live; dev mode makes a temporary one.
    public var dataDirectory: String?
    public var nodeName: String?
    public var datacenter: String
    /// The cgroup (in every hierarchy) under which task cgroups are made. Two agents on one
    /// machine need different ones: an agent removes what it finds under its own at start.
    public var cgroupParent: String
    /// A manager in a cluster (`-server`): its state is replicated with Raft and kept in
    /// `dataDirectory` across restarts.
    public var server: Bool
    /// How many managers to wait for before the first one bootstraps the cluster.
    public var bootstrapExpect: Int
    /// Gossip addresses (`host[:port]`, port 4648 when left out) of other agents to join at
    /// start, retried until one answers. Managers find each other through them.
    public var join: [String]
    /// Port of the managers' Raft transport.
    public var raftPort: Int
    /// Snapshot the state and compact the log after this many Raft entries.
    public var raftSnapshotThreshold: UInt64
    /// The gossip port (UDP and TCP); nil means Nomad's 4648, or in dev mode a free port when
    /// 4648 is taken.
    public var serfPort: Int?
    /// The gossip encryption key in base64 (32 bytes); dev mode generates one when nil.
    public var encryptKey: String?
    /// With `server`: seal the Raft log and snapshots with a per-server key kept in the data
    /// directory (encryption at rest). On by default; off only for data written without it.
    public var dataEncryption: Bool = true
    /// With `server`: how long the certificates this manager issues (to joining nodes, on
    /// renewal, to itself) are valid. Nodes renew well before expiry.
    public var certificateValidity: Duration = AgentConfigRules.defaultCertificateValidity
    /// With `server`: how long after gossip declares a worker failed, with no heartbeat
    /// either, the leader marks it down and replaces its allocations.
    public var workerDownGrace: Duration = AgentConfigRules.defaultWorkerDownGrace
    /// How long a dead job is kept before the managers purge it (`job_gc_threshold`).
    public var jobGarbageThreshold: Duration = AgentConfigRules.defaultJobGarbageThreshold
    /// The preemption switches a new cluster starts with (config file only).
    public var preemptionDefaults: AgentPreemptionDefaults?
    /// Addresses other agents are told to use, when not the bound ones (behind NAT, or bound
    /// to 0.0.0.0): `host` or `host:port`, from the config file's `advertise` block.
    public var advertiseHTTP: String?
    public var advertiseRPC: String?
    public var advertiseSerf: String?
    /// Run a worker that takes allocations from `workerServers` (config `client { enabled }`).
    public var worker: Bool = false
    /// Managers' RPC addresses a worker registers with.
    public var workerServers: [String] = []
    /// Free-form node metadata a worker advertises (constraints can match it).
    public var nodeMeta: [String: String] = [:]
    /// How much the agent logs: TRACE, DEBUG, INFO, WARN or ERROR.
    public var logLevel: String = "INFO"
    /// Container registries the worker pulls from over plain http or with credentials.
    public var registries: [AgentRegistry] = []

    public static let defaultHTTPPort = 4646
    public static let defaultRaftPort = 4647
    public static let defaultSerfPort = 4648

    public init(
        dev: Bool = false, bindAddress: String = "127.0.0.1", httpPort: Int = AgentOptions.defaultHTTPPort,
        dataDirectory: String? = nil, nodeName: String? = nil, datacenter: String = "dc1", cgroupParent: String = "roost",
        server: Bool = false, bootstrapExpect: Int = 1, join: [String] = [], raftPort: Int = AgentOptions.defaultRaftPort,
        raftSnapshotThreshold: UInt64 = 8_192
    ) {
        self.server = server
        self.bootstrapExpect = bootstrapExpect
        self.join = join
        self.raftPort = raftPort
        self.raftSnapshotThreshold = raftSnapshotThreshold
        self.cgroupParent = cgroupParent
        self.dev = dev
        self.bindAddress = bindAddress
        self.httpPort = httpPort
        self.dataDirectory = dataDirectory
        self.nodeName = nodeName
        self.datacenter = datacenter
    }
}

/// Runs an agent until it is told to stop; returns the process exit status.
public typealias AgentLauncher = @Sendable (AgentOptions, any Console) async -> Int32

/// `roost agent -dev`: a manager and a worker in one process, for trying Roost on one machine;
/// `roost agent -server`: a manager in a replicated cluster.
enum AgentCommand: Command {
    static let name = "agent"
    static let abstract = "Run a Roost agent: -dev (a whole cluster in one process), -server (a replicated manager) or -worker."
    static let usage = """
        -config FILE [flags that override the file]
               roost agent -dev [-bind ADDRESS] [-http-port PORT] [-data-dir DIR] [-node NAME] [-dc NAME] [-cgroup-parent NAME] [-serf-port PORT] [-encrypt KEY] [-join ADDRESS]...
               roost agent -server -data-dir DIR [-bootstrap-expect N] [-join ADDRESS]... [-bind ADDRESS] [-http-port PORT] [-rpc-port PORT] [-serf-port PORT] [-encrypt KEY]
               roost agent -worker -data-dir DIR [-bind ADDRESS] [-http-port PORT] [-serf-port PORT] [-cgroup-parent NAME]
        """
    static let discussion = """
        -dev starts a single-machine cluster: the HTTP API on 127.0.0.1:4646, a manager that
        schedules, and a worker that runs tasks (under cgroups when run as root). Its state lives
        in a temporary directory and is gone when it stops; it has no ACLs. Ctrl-C stops every
        task it started, removes their cgroups, and exits.

        -server starts a manager that replicates the cluster state with Raft over -rpc-port
        (default 4647) and keeps it in -data-dir. Start three (or five) with -bootstrap-expect 3
        and -join pointing at the others' gossip addresses: they find each other, bootstrap once
        all are seen, and elect a leader. Any manager answers the API; writes go to the leader;
        reads are consistent unless ?stale. A restarted manager rejoins from its data directory;
        a new one (empty data directory) joining a running cluster is added as a non-voter and
        promoted once it has caught up. Its Raft log and snapshots are encrypted at rest with a
        key it makes on first start, DATA_DIR/server/data.key: back it up.

        -worker runs the worker of a machine that joined with `roost join --token …`: it takes
        its identity from the credentials the join stored in -data-dir, reaches the managers over
        the authenticated, encrypted worker RPC on their RPC port, is a gossip member with the
        cluster's key, and serves its tasks' logs on -http-port. Ctrl-C stops its tasks.

        -config FILE reads the settings from an HCL file (see docs/agent-config.md): data_dir,
        name, bind_addr, advertise, ports, server { ... }, client { ... }, retry_join, encrypt,
        log_level. A flag given as well overrides the file's value.

        Other commands find the agent through ROOST_ADDR (default http://127.0.0.1:4646) or
        --address.
        """
    static let options: [OptionDescription] = [
        OptionDescription(
            "config", kind: .value(placeholder: "FILE"), displayPrefix: "-",
            help: "Read the agent's settings from this HCL file; flags given too override it."),
        OptionDescription("dev", displayPrefix: "-", help: "Run a manager and a worker in one process with throwaway state."),
        OptionDescription("worker", displayPrefix: "-", help: "Run the worker of a node that joined with roost join (needs -data-dir)."),
        OptionDescription("server", displayPrefix: "-", help: "Run a manager that replicates the cluster state with Raft (needs -data-dir)."),
        OptionDescription(
            "bootstrap-expect", kind: .value(placeholder: "N"), displayPrefix: "-",
            help: "With -server: bootstrap the cluster once N managers know each other (default 1: alone)."),
        OptionDescription("rpc-port", kind: .value(placeholder: "PORT"), displayPrefix: "-", help: "With -server: port of the managers' Raft traffic (default 4647)."),
        OptionDescription(
            "data-encryption", displayPrefix: "-",
            help: "With -server: encrypt the Raft log and snapshots on disk with a key kept in -data-dir (default true; =false to turn off)."),
        OptionDescription(
            "raft-snapshot-threshold", kind: .value(placeholder: "N"), displayPrefix: "-",
            help: "With -server: snapshot the state and compact the log every N entries (default 8192)."),
        OptionDescription(
            "cert-validity", kind: .value(placeholder: "DURATION"), displayPrefix: "-",
            help: "With -server: validity of the node certificates it issues (default 720h; nodes renew before expiry)."),
        OptionDescription(
            "worker-down-grace", kind: .value(placeholder: "DURATION"), displayPrefix: "-",
            help: "With -server: how long a worker gossip declared failed may stay silent before it is marked down (default 15s)."),
        OptionDescription(
            "job-gc-threshold", kind: .value(placeholder: "DURATION"), displayPrefix: "-",
            help: "With -server or -dev: how long a dead job is kept before it is purged (default 4h)."),
        OptionDescription("bind", kind: .value(placeholder: "ADDRESS"), displayPrefix: "-", help: "Address for the HTTP API (default 127.0.0.1)."),
        OptionDescription("http-port", kind: .value(placeholder: "PORT"), displayPrefix: "-", help: "Port for the HTTP API (default 4646; 0 picks a free one)."),
        OptionDescription("data-dir", kind: .value(placeholder: "DIR"), displayPrefix: "-", help: "Keep allocation directories and logs here instead of a temporary directory."),
        OptionDescription("node", kind: .value(placeholder: "NAME"), displayPrefix: "-", help: "The node's name (default: the host name)."),
        OptionDescription("dc", kind: .value(placeholder: "NAME"), displayPrefix: "-", help: "The node's datacenter (default dc1)."),
        OptionDescription(
            "cgroup-parent", kind: .value(placeholder: "NAME"), displayPrefix: "-",
            help: "Cgroup for this agent's tasks (default roost); give each agent on a machine its own."),
        OptionDescription(
            "serf-port", kind: .value(placeholder: "PORT"), displayPrefix: "-",
            help: "Gossip port, UDP and TCP (default 4648; in dev mode a free one when 4648 is taken)."),
        OptionDescription(
            "encrypt", kind: .value(placeholder: "KEY"), displayPrefix: "-",
            help: "Gossip encryption key: base64 of 32 random bytes (dev mode generates one)."),
        OptionDescription(
            "join", kind: .value(placeholder: "ADDRESS"), displayPrefix: "-",
            help: "Gossip address (host[:port], port 4648 by default) of an agent to join; repeatable; retried until one answers."),
        OptionDescription(
            "log-level", kind: .value(placeholder: "LEVEL"), displayPrefix: "-",
            help: "TRACE, DEBUG, INFO (default), WARN or ERROR."),
        OptionDescription(
            "insecure-registry", kind: .value(placeholder: "HOST[:PORT]"), displayPrefix: "-",
            help: "Pull container images from this registry over plain http (trusted networks only); repeatable."),
    ]

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        let options = try resolveOptions(arguments, in: context)
        guard let launcher = context.agentLauncher else {
            throw .failure("this build of roost cannot run an agent (it was built without the manager and worker)")
        }
        let status = await launcher(options, context.console)
        return ExitCode(rawValue: status) ?? .failure
    }

    /// The agent's settings: the defaults, then the `-config` file, then the flags (so a flag
    /// always wins over the file).
    static func resolveOptions(_ arguments: ParsedArguments, in context: CommandContext) throws(CommandError) -> AgentOptions {
        guard arguments.positionals.isEmpty else {
            throw .usage("\"\(context.commandPath)\" takes no arguments, got \"\(arguments.positionals[0])\"")
        }
        var options = AgentOptions()
        let configFiles = arguments.values(of: "config")
        if configFiles.count > 1 {
            throw .usage("-config can be given once, got \(configFiles.count) files", hint: "put every setting in one file")
        }
        if let file = configFiles.first {
            try loadConfig(file, in: context).apply(to: &options)
        }
        if let dev = arguments.flag("dev") { options.dev = dev }
        if let server = arguments.flag("server") { options.server = server }
        if let worker = arguments.flag("worker") { options.worker = worker }
        if options.worker && !options.dev && !options.server {
            guard options.dataDirectory != nil || arguments.values(of: "data-dir").last != nil else {
                throw .usage("-worker needs -data-dir: the directory where `roost join` stored this node's credentials")
            }
        } else if options.worker && options.server {
            throw .usage(
                "-worker and -server in one agent are not supported yet",
                hint: "run the manager (roost agent -server) and the worker (roost agent -worker) as two agents with their own data directories")
        }
        guard options.dev != options.server || options.worker else {
            if options.dev {
                throw .usage(
                    "-dev and -server cannot be combined: dev mode is a whole cluster in one process",
                    hint: "run \"roost agent -dev\" for a single-machine cluster, or \"roost agent -server -data-dir DIR\" for a manager")
            }
            throw .usage(
                "say which agent to run",
                hint: "run \"roost agent -dev\" for a single-machine cluster, \"roost agent -server -data-dir DIR\" for a manager, or \"roost agent -config FILE\"")
        }
        if options.server { try parseServerOptions(arguments, into: &options) }
        if let bind = arguments.values(of: "bind").last { options.bindAddress = bind }
        if let portText = arguments.values(of: "http-port").last {
            guard let port = Int(portText), AgentConfigRules.ports.contains(port) else {
                throw .usage("-http-port must be a port number from 0 to 65535, got \"\(portText)\"")
            }
            options.httpPort = port
        }
        if let directory = arguments.values(of: "data-dir").last { options.dataDirectory = directory }
        if let node = arguments.values(of: "node").last { options.nodeName = node }
        if let datacenter = arguments.values(of: "dc").last { options.datacenter = datacenter }
        if let parent = arguments.values(of: "cgroup-parent").last {
            guard AgentConfigRules.isCgroupName(parent) else {
                throw .usage("-cgroup-parent must be a plain name (letters, digits, - _ .), got \"\(parent)\"")
            }
            options.cgroupParent = parent
        }
        if let portText = arguments.values(of: "serf-port").last {
            guard let port = Int(portText), AgentConfigRules.ports.contains(port) else {
                throw .usage("-serf-port must be a port number from 0 to 65535, got \"\(portText)\"")
            }
            options.serfPort = port
        }
        if let key = arguments.values(of: "encrypt").last { options.encryptKey = key }
        let joins = arguments.values(of: "join")
        if !joins.isEmpty { options.join = joins }
        for host in arguments.values(of: "insecure-registry") {
            guard AgentRegistry.isHost(host) else {
                throw .usage("-insecure-registry takes a registry's HOST[:PORT] (as in image = \"HOST:PORT/name:tag\"), got \"\(host)\"")
            }
            if let existing = options.registries.firstIndex(where: { $0.host == host }) {
                options.registries[existing].insecure = true
            } else {
                options.registries.append(AgentRegistry(host: host, insecure: true))
            }
        }
        if let level = arguments.values(of: "log-level").last {
            guard let canonical = AgentConfigRules.logLevel(level) else {
                throw .usage(
                    "-log-level must be one of \(AgentConfigRules.logLevels.joined(separator: ", ")), got \"\(level)\"",
                    hint: Suggestion.hint(for: level.uppercased(), among: AgentConfigRules.logLevels))
            }
            options.logLevel = canonical
        }
        if options.server, options.bootstrapExpect > 1, options.join.isEmpty {
            throw .usage(
                "-bootstrap-expect \(options.bootstrapExpect) needs -join: how would this manager find the other \(options.bootstrapExpect - 1)?",
                hint: "add -join ADDRESS for another manager (each manager needs at least one), or retry_join in the config file")
        }
        if options.server, options.dataDirectory == nil {
            throw .usage(
                "-server needs -data-dir: a manager's replicated state must survive restarts",
                hint: "for example -data-dir /var/lib/roost, or data_dir in the config file")
        }
        return options
    }

    /// The config file's settings, after printing its diagnostics; a file with errors stops
    /// the agent before anything starts.
    private static func loadConfig(_ file: String, in context: CommandContext) throws(CommandError) -> AgentConfig {
        let source: SourceFile
        do {
            source = try JobSourceReader.source(for: file, in: context)
        } catch {
            throw .failure(error.message, hint: "-config takes the path of an agent configuration file (HCL)")
        }
        let (config, diagnostics) = AgentConfig.decode(source)
        context.report(diagnostics, in: source)
        guard let config else {
            throw .failure("\(source.name): \(JobSourceReader.summary(of: diagnostics)); the agent was not started")
        }
        return config
    }

    private static func parseServerOptions(_ arguments: ParsedArguments, into options: inout AgentOptions) throws(CommandError) {
        if let text = arguments.values(of: "bootstrap-expect").last {
            guard let expect = Int(text), AgentConfigRules.bootstrapExpect.contains(expect) else {
                throw .usage("-bootstrap-expect must be the number of managers, 1 to 9 (3 or 5 in production), got \"\(text)\"")
            }
            options.bootstrapExpect = expect
        }
        if let text = arguments.values(of: "rpc-port").last {
            guard let port = Int(text), AgentConfigRules.ports.contains(port) else {
                throw .usage("-rpc-port must be a port number from 0 to 65535, got \"\(text)\"")
            }
            options.raftPort = port
        }
        if let encrypt = arguments.flag("data-encryption") { options.dataEncryption = encrypt }
        if let text = arguments.values(of: "raft-snapshot-threshold").last {
            guard let threshold = UInt64(text), threshold >= AgentConfigRules.minimumSnapshotThreshold else {
                throw .usage("-raft-snapshot-threshold must be a whole number of at least 16, got \"\(text)\"")
            }
            options.raftSnapshotThreshold = threshold
        }
        if let text = arguments.values(of: "cert-validity").last {
            options.certificateValidity = try duration(text, flag: "cert-validity", allowed: AgentConfigRules.certificateValidity)
        }
        if let text = arguments.values(of: "worker-down-grace").last {
            options.workerDownGrace = try duration(text, flag: "worker-down-grace", allowed: AgentConfigRules.workerDownGrace)
        }
        if let text = arguments.values(of: "job-gc-threshold").last {
            options.jobGarbageThreshold = try duration(text, flag: "job-gc-threshold", allowed: AgentConfigRules.jobGarbageThreshold)
        }
    }

    private static func duration(_ text: String, flag: String, allowed: ClosedRange<Duration>) throws(CommandError) -> Duration {
        switch DurationParser.parse(text) {
        case .success(let duration) where allowed.contains(duration):
            return duration
        case .success:
            throw .usage("-\(flag) must be from \(AgentConfigRules.describe(allowed.lowerBound)) to \(AgentConfigRules.describe(allowed.upperBound)), got \(text)")
        case .failure(let failure):
            throw .usage("-\(flag) \(text) is not a valid duration: \(failure.reason); \(DurationParser.acceptedForms)")
        }
    }
}
