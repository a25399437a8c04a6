import Foundation
import HTTP
import Synchronization
import Testing

/// Three (or more) real `roost agent -server` child processes on loopback ports, each with its
/// own data directory, forming one cluster with `-bootstrap-expect`. A manager can be killed
/// with SIGKILL and started again on the same ports and data; every process is ended by PID and
/// the data directories removed when the cluster is stopped.
final class ManagerClusterProcess: @unchecked Sendable {
    // @unchecked: the arrays are touched only from the test's own (sequential) code.
    struct Member {
        var name: String
        var httpPort: Int
        var raftPort: Int
        /// Gossip (UDP and TCP): the managers find each other through it.
        var serfPort: Int
        var dataDirectory: String
        var process: Process?
        var output: String
        /// Founders greet each other to bootstrap; a later member greets the running ones.
        var isFounder: Bool
        var address: String { "http://127.0.0.1:\(httpPort)" }
    }

    private(set) var members: [Member] = []
    private let foundToken = Mutex<String?>(nil)
    let root: String
    let snapshotThreshold: Int

    init(size: Int = 3, snapshotThreshold: Int = 8_192) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("roost-cluster-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))").path
        self.snapshotThreshold = snapshotThreshold
        let ports = try Self.freePorts(3 * size)
        for index in 0..<size {
            members.append(Member(
                name: "m\(index + 1)", httpPort: ports[3 * index], raftPort: ports[3 * index + 1], serfPort: ports[3 * index + 2],
                dataDirectory: root + "/m\(index + 1)", process: nil, output: root + "/m\(index + 1).log", isFounder: true))
        }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for index in members.indices { try start(index) }
    }

    /// A new manager: `roost join -server` with the manager token the first leader printed
    /// (through `via`'s RPC port), then its agent, which finds the running cluster through
    /// `-join` and asks to be added, proving it is a manager with its certificate. Returns its
    /// index.
    func addMember(via contact: Int = 0) throws -> Int {
        let ports = try Self.freePorts(3)
        let index = members.count
        members.append(Member(
            name: "m\(index + 1)", httpPort: ports[0], raftPort: ports[1], serfPort: ports[2], dataDirectory: root + "/m\(index + 1)",
            process: nil, output: root + "/m\(index + 1).log", isFounder: false))
        let token = try #require(managerJoinToken(), "no manager join token was printed")
        let joined = try DevAgentProcess.roost(
            ["join", "--token", token, "127.0.0.1:\(members[contact].raftPort)", "-data-dir", members[index].dataDirectory, "-node", members[index].name, "-server"],
            address: members[contact].address)
        try #require(joined.status == 0, "roost join -server: \(joined.output)\(joined.errors)")
        try start(index)
        return index
    }

    /// The manager join token the cluster's first leader printed.
    func managerJoinToken() -> String? {
        for index in members.indices {
            for line in log(of: index).split(separator: "\n") {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("Manager:") { return trimmed.dropFirst("Manager:".count).trimmingCharacters(in: .whitespaces) }
            }
        }
        return nil
    }

    func start(_ index: Int) throws {
        let executable = try #require(DevAgentProcess.executable, "the roost executable is not built")
        let member = members[index]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        var arguments = [
            "agent", "-server", "-node", member.name, "-data-dir", member.dataDirectory, "-bind", "127.0.0.1",
            "-http-port", String(member.httpPort), "-rpc-port", String(member.raftPort), "-serf-port", String(member.serfPort),
            "-bootstrap-expect", String(members.filter(\.isFounder).count), "-raft-snapshot-threshold", String(snapshotThreshold),
        ]
        for other in members where other.name != member.name && (member.isFounder ? other.isFounder : other.process != nil) {
            arguments += ["-join", "127.0.0.1:\(other.serfPort)"]
        }
        process.arguments = arguments
        FileManager.default.createFile(atPath: member.output, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: member.output))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        members[index].process = process
    }

    /// SIGKILL: no shutdown, no flush; what was not fsynced is lost.
    func kill(_ index: Int) {
        guard let process = members[index].process else { return }
        // A process that already exited was reaped: its PID may belong to another by now.
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        members[index].process = nil
    }

    func stop() {
        for index in members.indices {
            guard let process = members[index].process else { continue }
            Glibc.kill(process.processIdentifier, SIGINT)
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(index) } else { process.waitUntilExit() }
            members[index].process = nil
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    func log(of index: Int) -> String {
        (try? String(contentsOfFile: members[index].output, encoding: .utf8)) ?? ""
    }

    /// A client of one manager that sends the bootstrap management token (ACLs are on in
    /// server mode), once the first leader has printed it.
    func client(_ index: Int) throws -> TokenClient {
        TokenClient(
            http: try HTTPClient(address: members[index].address, settings: HTTPClientSettings(connectTimeout: .seconds(2), readTimeout: .seconds(20), unreachableHint: nil)),
            token: bootstrapToken())
    }

    static let bootstrapLine = "==> Bootstrap management token (shown once): "

    /// The management token the cluster's first leader printed, from the members' logs. Kept
    /// once found: a restarted member's fresh log does not print it again.
    func bootstrapToken() -> String? {
        if let token = foundToken.withLock({ $0 }) { return token }
        for index in members.indices {
            guard let line = log(of: index).split(separator: "\n").first(where: { $0.hasPrefix(Self.bootstrapLine) }) else { continue }
            let token = String(line.dropFirst(Self.bootstrapLine.count)).trimmingCharacters(in: .whitespaces)
            foundToken.withLock { $0 = token }
            return token
        }
        return nil
    }

    /// Runs the real CLI against member `index` with the bootstrap token (or `token`).
    func roost(_ arguments: [String], on index: Int, token: String? = nil) throws -> DevAgentProcess.CommandOutcome {
        try DevAgentProcess.roost(arguments, address: members[index].address, token: token ?? bootstrapToken())
    }

    /// `GET /v1/agent/self`'s Raft fields of one manager (nil when it does not answer).
    func raftStatus(_ index: Int) async -> [String: String]? {
        guard let client = try? client(index), let response = try? await client.get("/v1/agent/self"), response.status.code == 200,
              let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        else { return nil }
        return object["Stats"] as? [String: String]
    }

    /// The index of the member that leads, once the running members agree on one.
    func waitForLeader(excluding excluded: Set<Int> = [], timeout: Duration = .seconds(60)) async throws -> Int {
        let started = ContinuousClock.now
        while ContinuousClock.now - started < timeout {
            // Every running member must name the same leader, so a leader of an older term that
            // has not noticed yet is not taken for the current one.
            var statuses: [Int: [String: String]] = [:]
            for index in members.indices where !excluded.contains(index) && members[index].process != nil {
                statuses[index] = await raftStatus(index)
            }
            if let (index, status) = statuses.first(where: { $0.value["raft_state"] == "leader" }),
               statuses.count == members.indices.filter({ !excluded.contains($0) && members[$0].process != nil }).count,
               statuses.values.allSatisfy({ $0["raft_leader"] == status["raft_id"] }) {
                return index
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let logs = members.indices.map { "--- \(members[$0].name)\n\(log(of: $0).suffix(2_000))" }.joined(separator: "\n")
        Issue.record("no leader within \(timeout)\n\(logs)")
        throw DevAgentProcess.AgentFailure(message: "no leader")
    }

    /// The IDs of the jobs a manager lists (`?stale`: its own copy; otherwise linearizable).
    func jobIDs(_ index: Int, stale: Bool) async throws -> Set<String> {
        let response = try await client(index).get("/v1/jobs" + (stale ? "?stale" : ""))
        guard response.status.code == 200, let list = try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]] else {
            throw DevAgentProcess.AgentFailure(message: "GET /v1/jobs answered \(response.status.code): \(String(decoding: response.body, as: UTF8.self))")
        }
        return Set(list.compactMap { $0["ID"] as? String })
    }

    /// Ports the kernel just handed out as free (bound to port 0, then released).
    static func freePorts(_ count: Int) throws -> [Int] {
        var ports: [Int] = []
        var sockets: [Int32] = []
        defer { for socket in sockets { close(socket) } }
        while ports.count < count {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard socket >= 0 else { throw DevAgentProcess.AgentFailure(message: "socket() failed") }
            sockets.append(socket)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Bool in
                    bind(socket, raw, length) == 0 && getsockname(socket, raw, &length) == 0
                }
            }
            guard bound else { throw DevAgentProcess.AgentFailure(message: "bind() failed") }
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }
}

/// An HTTP client that sends an ACL token with every request.
struct TokenClient: Sendable {
    let http: HTTPClient
    let token: String?

    func send(_ method: HTTPMethod, _ target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) async throws -> HTTPClientResponse {
        var headers = headers
        if let token, !headers.contains("X-Roost-Token") { headers.set("X-Roost-Token", token) }
        return try await http.send(method, target, headers: headers, body: body)
    }

    func get(_ target: String, headers: HTTPHeaders = HTTPHeaders()) async throws -> HTTPClientResponse {
        try await send(.get, target, headers: headers)
    }
}
