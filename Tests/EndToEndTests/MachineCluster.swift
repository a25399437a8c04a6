import Foundation
import Glibc
import HTTP
import Synchronization
import Testing

/// Managers and workers as separate `roost` processes, each on its own "machine": its own
/// network namespace in a `NetworkLab` (so links can be cut), or, where namespaces cannot be
/// made, its own 127.0.0.x address on loopback. The first manager creates the cluster; every
/// other machine joins with a token (`roost join`), then runs its agent. Every process is
/// ended by PID; the tasks of a worker killed with SIGKILL are ended through its cgroups; the
/// data directories, cgroups and namespaces are removed by `stop()`.
final class MachineCluster: @unchecked Sendable {
    // @unchecked: the machines array is touched only from the test's own sequential code.
    enum Role: String { case manager, worker }

    struct Machine {
        var name: String
        var role: Role
        var host: String
        /// 1-based position in the lab (its namespace and address).
        var labIndex: Int
        var dataDirectory: String
        var output: String
        var process: Process?
        var address: String { "http://\(host):\(MachineCluster.httpPort)" }
        var cgroupParent: String { "roost-e2e-\(name)" }
    }

    static let httpPort = 4646
    static let rpcPort = 4647
    static let serfPort = 4648

    let lab: NetworkLab?
    let root: String
    private(set) var machines: [Machine] = []
    private let foundToken = Mutex<String?>(nil)
    let gossipKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()

    /// Added to every manager agent's command line (for example a short certificate validity).
    var managerArguments: [String] = []

    /// Whether links can be cut (the machines are in namespaces).
    var canCutLinks: Bool { lab != nil }

    init(managers: Int, workers: Int) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("roost-machines-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let count = managers + workers
        lab = try NetworkLab.create(nodes: count)
        let loopbackBase = Int.random(in: 1...200)
        for index in 0..<count {
            let role: Role = index < managers ? .manager : .worker
            let name = role == .manager ? "m\(index + 1)" : "w\(index - managers + 1)"
            let host = lab?.address(of: index + 1) ?? "127.0.\(loopbackBase).\(index + 1)"
            machines.append(Machine(
                name: name, role: role, host: host, labIndex: index + 1, dataDirectory: root + "/" + name,
                output: root + "/" + name + ".log", process: nil))
        }
    }

    func index(of name: String) -> Int { machines.firstIndex { $0.name == name }! }
    var managerIndexes: [Int] { machines.indices.filter { machines[$0].role == .manager } }
    var workerIndexes: [Int] { machines.indices.filter { machines[$0].role == .worker } }

    // MARK: Forming the cluster

    /// The first manager: creates the cluster, prints the tokens.
    func startFirstManager() throws {
        try startAgent(0, ["agent", "-server", "-bootstrap-expect", "1", "-encrypt", gossipKey])
    }

    /// `roost join` with the right token on machine `index`, then its agent.
    func join(_ index: Int) throws {
        let machine = machines[index]
        let role: Role = machine.role
        let token = try #require(joinToken(role), "the first manager printed no \(role) join token")
        var arguments = ["join", "--token", token, "\(machines[0].host):\(Self.rpcPort)", "-data-dir", machine.dataDirectory, "-node", machine.name]
        if role == .manager { arguments.append("-server") }
        let outcome = try run(arguments, on: index)
        #expect(outcome.status == 0, "roost join on \(machine.name): \(outcome.output)")
        if role == .manager {
            try startAgent(index, ["agent", "-server"])
        } else {
            try startAgent(index, ["agent", "-worker", "-cgroup-parent", machine.cgroupParent])
        }
    }

    func startAgent(_ index: Int, _ head: [String]) throws {
        let machine = machines[index]
        var arguments = head + ["-data-dir", machine.dataDirectory, "-bind", machine.host, "-http-port", String(Self.httpPort), "-serf-port", String(Self.serfPort)]
        if machine.role == .manager { arguments += ["-node", machine.name, "-rpc-port", String(Self.rpcPort)] + managerArguments }
        let process = Process()
        let (executable, fullArguments) = command(on: index, arguments)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = fullArguments
        process.environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        FileManager.default.createFile(atPath: machine.output, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: machine.output))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        machines[index].process = process
    }

    /// The roost command line as machine `index` runs it (inside its namespace).
    func command(on index: Int, _ arguments: [String]) -> (String, [String]) {
        let roost = DevAgentProcess.executable ?? "roost"
        if let lab { return lab.command(in: machines[index].labIndex, roost, arguments) }
        return (roost, arguments)
    }

    /// Runs a roost command on machine `index` (not an agent: it is waited for), talking to
    /// that machine's own agent with the bootstrap token when `asClient`.
    func run(_ arguments: [String], on index: Int, asClient: Bool = false) throws -> (status: Int32, output: String) {
        let (executable, fullArguments) = command(on: index, arguments)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = fullArguments
        if asClient {
            process.environment = ["ROOST_ADDR": machines[index].address, "ROOST_TOKEN": bootstrapToken() ?? "", "PATH": "/usr/bin:/bin"]
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    // MARK: Faults

    /// SIGKILL: the agent stops at once; a worker's tasks keep running (they are ended, through
    /// their cgroups, by `stop()`).
    func kill9(_ index: Int) {
        guard let process = machines[index].process else { return }
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        machines[index].process = nil
    }

    func setLink(of index: Int, up: Bool) throws {
        try #require(lab, "links can only be cut in a network lab").setLink(of: machines[index].labIndex, up: up)
    }

    func stop() {
        for index in machines.indices.reversed() {
            guard let process = machines[index].process else { continue }
            Glibc.kill(process.processIdentifier, SIGINT)
            let deadline = Date().addingTimeInterval(15)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning { kill9(index) } else { process.waitUntilExit() }
            machines[index].process = nil
        }
        for index in workerIndexes { Self.endTasks(inCgroupsUnder: machines[index].cgroupParent) }
        lab?.destroy()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Kills every process in the cgroups under `parent` (in every hierarchy, v1 and v2) by
    /// PID, then removes the cgroups, deepest first: what a worker killed with SIGKILL left.
    static func endTasks(inCgroupsUnder parent: String) {
        let hierarchies = ((try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []).map { "/sys/fs/cgroup/" + $0 } + ["/sys/fs/cgroup"]
        for hierarchy in hierarchies {
            let top = hierarchy + "/" + parent
            guard FileManager.default.fileExists(atPath: top) else { continue }
            var directories = [top]
            if let enumerator = FileManager.default.enumerator(atPath: top) {
                for case let path as String in enumerator {
                    var isDirectory: ObjCBool = false
                    if FileManager.default.fileExists(atPath: top + "/" + path, isDirectory: &isDirectory), isDirectory.boolValue {
                        directories.append(top + "/" + path)
                    }
                }
            }
            for directory in directories {
                let procs = (try? String(contentsOfFile: directory + "/cgroup.procs", encoding: .utf8)) ?? ""
                for pid in procs.split(separator: "\n").compactMap({ Int32($0) }) { Glibc.kill(pid, SIGKILL) }
            }
            for directory in directories.sorted(by: { $0.count > $1.count }) {
                for _ in 0..<50 where rmdir(directory) != 0 && errno == EBUSY { usleep(20_000) }
            }
        }
    }

    // MARK: Reading the cluster

    func log(of index: Int) -> String {
        (try? String(contentsOfFile: machines[index].output, encoding: .utf8)) ?? ""
    }

    func logs() -> String {
        machines.indices.map { "--- \(machines[$0].name)\n\(log(of: $0).suffix(3_000))" }.joined(separator: "\n")
    }

    func joinToken(_ role: Role) -> String? {
        let label = role == .manager ? "Manager:" : "Worker:"
        for line in log(of: 0).split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(label) { return trimmed.dropFirst(label.count).trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    func bootstrapToken() -> String? {
        if let token = foundToken.withLock({ $0 }) { return token }
        let prefix = ManagerClusterProcess.bootstrapLine
        guard let line = log(of: 0).split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
        let token = String(line.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
        foundToken.withLock { $0 = token }
        return token
    }

    func client(_ index: Int, readTimeout: Duration = .seconds(20)) throws -> TokenClient {
        TokenClient(
            http: try HTTPClient(address: machines[index].address, settings: HTTPClientSettings(connectTimeout: .seconds(2), readTimeout: readTimeout, unreachableHint: nil)),
            token: bootstrapToken())
    }

    /// A JSON answer of manager `index` (nil when it does not answer 200).
    func json(_ target: String, from index: Int) async -> Any? {
        guard let client = try? client(index), let response = try? await client.get(target), response.status.code == 200 else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(response.body))
    }

    /// The leader's index once every running manager names the same one.
    func leader(among indexes: [Int]) async -> Int? {
        var statuses: [Int: [String: String]] = [:]
        for index in indexes {
            guard let object = await json("/v1/agent/self", from: index) as? [String: Any], let stats = object["Stats"] as? [String: String] else { return nil }
            statuses[index] = stats
        }
        guard let (index, status) = statuses.first(where: { $0.value["raft_state"] == "leader" }),
              statuses.values.allSatisfy({ $0["raft_leader"] == status["raft_id"] }) else { return nil }
        return index
    }

    /// Polls `condition` every 250 ms until it holds or `limit` passes; how long it took.
    func waitFor(_ what: String, within limit: Duration, _ condition: () async -> Bool) async -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            if await condition() { return ContinuousClock.now - start }
            try? await Task.sleep(for: .milliseconds(250))
        }
        if await condition() { return ContinuousClock.now - start }
        Issue.record("\(what): not within \(limit)\n\(logs())")
        return nil
    }

    /// Allocations of a job as manager `index` lists them: (ID, node ID, desired, client).
    func allocations(of job: String, from index: Int) async -> [(id: String, node: String, desired: String, client: String)]? {
        guard let list = await json("/v1/job/\(job)/allocations", from: index) as? [[String: Any]] else { return nil }
        return list.map { ($0["ID"] as? String ?? "", $0["NodeID"] as? String ?? "", $0["DesiredStatus"] as? String ?? "", $0["ClientStatus"] as? String ?? "") }
    }

    /// Node name → node ID, from manager `index`.
    func nodeIDs(from index: Int) async -> [String: String] {
        guard let list = await json("/v1/nodes", from: index) as? [[String: Any]] else { return [:] }
        var ids: [String: String] = [:]
        for node in list { if let name = node["Name"] as? String, let id = node["ID"] as? String { ids[name] = id } }
        return ids
    }

    func nodeStatus(_ name: String, from index: Int) async -> String? {
        guard let list = await json("/v1/nodes", from: index) as? [[String: Any]] else { return nil }
        return list.first { $0["Name"] as? String == name }?["Status"] as? String
    }
}
