import API
import Foundation
import HTTP
import Sodium
import Testing
import Gossip

/// Twenty real `roost agent -dev` processes on loopback, joined through gossip with one shared
/// key: they converge, `kill -9` of one is noticed by all the others, and `roost members`
/// (the real CLI) agrees everywhere. Skipped when the roost executable is not built beside the
/// tests.
@Suite(.serialized) struct GossipAgentProcessTests {
    static let size = 20

    /// One agent process, ended by its PID.
    final class AgentProcess: @unchecked Sendable {
        // @unchecked: every field is set once in init.
        let process: Process
        let apiAddress: String
        let gossipAddress: String
        let dataDirectory: String
        let cgroupParent: String

        init(executable: String, key: String, join: String?) throws {
            let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("roost-gossip-\(suffix)").path
            cgroupParent = "roost-gossip-\(suffix)"
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            var arguments = ["agent", "-dev", "-http-port", "0", "-serf-port", "0", "-encrypt", key, "-node", "agent-\(suffix)",
                             "-data-dir", dataDirectory, "-cgroup-parent", cgroupParent]
            if let join { arguments += ["-join", join] }
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            process.standardInput = FileHandle.nullDevice
            try process.run()
            var text = ""
            let deadline = Date().addingTimeInterval(60)
            // The banner is complete once the line after the gossip address has arrived.
            while !text.contains("Data directory:"), Date() < deadline {
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { break }
                text += String(decoding: data, as: UTF8.self)
            }
            func field(_ name: String) -> String? {
                text.split(separator: "\n").first { $0.contains(name) }
                    .flatMap { $0.split(separator: " ").dropFirst(2).first }.map(String.init)
            }
            guard let api = field("API address:"), let gossip = field("Gossip address:") else {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw GossipError.invalidSettings("the agent did not start: \(text)")
            }
            apiAddress = api
            gossipAddress = gossip
        }

        func members() async -> [AgentMember] {
            guard let client = try? HTTPClient(address: apiAddress),
                  let response = try? await client.send(.get, "/v1/agent/members", headers: HTTPHeaders(), body: []),
                  let decoded = try? APIJSON.decode(AgentMembersResponse.self, from: response.body)
            else { return [] }
            return decoded.members
        }

        func kill9() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

        /// SIGINT (a graceful stop), SIGKILL after 20 s; then removes what the agent left.
        func stop() {
            if process.isRunning {
                kill(process.processIdentifier, SIGINT)
                let deadline = Date().addingTimeInterval(20)
                while process.isRunning, Date() < deadline { usleep(20_000) }
                kill9()
            }
            try? FileManager.default.removeItem(atPath: dataDirectory)
            let root = "/sys/fs/cgroup"
            for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
                rmdir("\(root)/\(hierarchy)/\(cgroupParent)")
            }
            rmdir("\(root)/\(cgroupParent)")
        }
    }

    static let executable: String? = {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return [directory.appendingPathComponent("roost").path, directory.deletingLastPathComponent().appendingPathComponent("roost").path]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    @Test(.enabled(if: executable != nil, "the roost executable is not built beside the tests"))
    func twentyAgentProcessesConvergeAndAllNoticeAKillNine() async throws {
        let executable = try #require(Self.executable)
        let key = GossipKeyring.encodeKey(XChaCha20Poly1305.generateKey())
        var agents: [AgentProcess] = []
        defer {
            // Interrupt all first, so that their graceful leaves overlap.
            for agent in agents where agent.process.isRunning { kill(agent.process.processIdentifier, SIGINT) }
            for agent in agents { agent.stop() }
        }
        let seed = try AgentProcess(executable: executable, key: key, join: nil)
        agents.append(seed)
        for _ in 1..<Self.size { agents.append(try AgentProcess(executable: executable, key: key, join: seed.gossipAddress)) }

        var views: [[AgentMember]] = []
        // Everyone lists all twenty as alive (polled over the API, then checked with the CLI).
        var allAlive = false
        let start = ContinuousClock.now
        while !allAlive, ContinuousClock.now - start < .seconds(60) {
            views = []
            for agent in agents { views.append(await agent.members()) }
            allAlive = views.allSatisfy { $0.filter { $0.status == "alive" }.count == Self.size }
            if !allAlive { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(allAlive, "not every agent lists \(Self.size) alive members")
        for agent in agents {
            let output = try Self.roost(executable, ["members", "--address", agent.apiAddress])
            #expect(output.split(separator: "\n").filter { $0.contains(" alive ") }.count == Self.size, "roost members on \(agent.apiAddress): \(output)")
        }

        // kill -9 one: all the others mark it failed within the bound of the LAN settings.
        let victim = agents.removeLast()
        let victimAddress = victim.gossipAddress
        victim.kill9()
        victim.stop()
        let killedAt = ContinuousClock.now
        var failedEverywhere = false
        let bound = GossipTestSupport.detectionBound(memberCount: Self.size, settings: .lan) + .seconds(10)
        while !failedEverywhere, ContinuousClock.now - killedAt < bound {
            var all = true
            for agent in agents {
                let row = await agent.members().first { "\($0.addr):\($0.port)" == victimAddress }
                if row?.status != "failed" {
                    all = false
                    break
                }
            }
            failedEverywhere = all
            if !failedEverywhere { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(failedEverywhere, "not every agent marked the killed one failed within \(GossipTestSupport.seconds(bound)) s")
        print("Gossip processes (n=\(Self.size), lan, encrypted): kill -9 marked failed everywhere after \(GossipTestSupport.seconds(ContinuousClock.now - killedAt)) s")
        for agent in agents.prefix(3) {
            let output = try Self.roost(executable, ["members", "--address", agent.apiAddress])
            #expect(output.split(separator: "\n").filter { $0.contains(" failed ") }.count == 1, "\(output)")
        }
    }

    static func roost(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
