import ClusterSecurity
import Foundation
import Platform
import Raft
import RaftRuntime
import Sodium
import Testing

/// `roost join` against a real `roost agent -server`: the first leader prints the join tokens,
/// a node joins with one and stores credentials that verify against the cluster's CA, and
/// every way a join must fail fails with its own message, on the joiner and in the manager's
/// log, while the cluster keeps admitting honest joiners.
@Suite(.serialized)
struct JoinEndToEndTests {
    static let workerLine = "        Worker:  "
    static let managerLine = "        Manager: "

    /// The manager's printed token of one role, once it is in the log.
    static func printedToken(_ prefix: String, in cluster: ManagerClusterProcess) async throws -> String {
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline {
            if let line = cluster.log(of: 0).split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) {
                return String(line.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no join token in the log\n\(cluster.log(of: 0))")
        throw DevAgentProcess.AgentFailure(message: "no join token")
    }

    /// Waits (generously) until the manager's log contains `text`.
    static func logShows(_ text: String, in cluster: ManagerClusterProcess) async throws -> Bool {
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while ContinuousClock.now < deadline {
            if cluster.log(of: 0).contains(text) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    static func join(_ token: String, _ cluster: ManagerClusterProcess, directory: String, extra: [String] = []) throws -> DevAgentProcess.CommandOutcome {
        try cluster.roost(["join", "--token", token, "127.0.0.1:\(cluster.members[0].raftPort)", "-data-dir", directory] + extra, on: 0)
    }

    @Test(.timeLimit(.minutes(3)))
    func aNodeJoinsWithThePrintedWorkerTokenAndKeepsCredentialsThatVerifyAgainstTheClusterCA() async throws {
        let cluster = try ManagerClusterProcess(size: 1)
        defer { cluster.stop() }
        _ = try await cluster.waitForLeader()
        let workerToken = try await Self.printedToken(Self.workerLine, in: cluster)
        let managerToken = try await Self.printedToken(Self.managerLine, in: cluster)
        #expect(cluster.log(of: 0).components(separatedBy: Self.workerLine).count == 2, "the tokens are printed once")
        #expect(workerToken != managerToken)
        let shown = try cluster.roost(["cluster", "join-token", "worker", "-quiet"], on: 0)
        #expect(shown.output.trimmingCharacters(in: .whitespacesAndNewlines) == workerToken, "\(shown.output)\(shown.errors)")

        let directory = cluster.root + "/w1"
        let joined = try Self.join(workerToken, cluster, directory: directory, extra: ["-node", "w1"])
        #expect(joined.status == 0, "\(joined.errors)\n\(cluster.log(of: 0))")
        #expect(joined.output.contains("as worker \"w1\""), "\(joined.output)")

        let path = directory + "/" + NodeCredentials.fileName
        let credentials = try NodeCredentials(decoding: Array(try #require(FileManager.default.contents(atPath: path))))
        let certificate = credentials.certificate.certificate
        #expect(certificate.role == .worker)
        #expect(certificate.nodeName == "w1")
        #expect(certificate.publicKey == credentials.nodeKey.publicKey)
        #expect(JoinToken.digest(ofCAPublicKey: credentials.grant.caPublicKey) == (try JoinToken(parsing: workerToken)).caDigest)
        #expect(credentials.policy.problem(with: credentials.certificate, now: Int64(Date().timeIntervalSince1970)) == nil)
        #expect(credentials.grant.managers.map(\.rpc) == ["127.0.0.1:\(cluster.members[0].raftPort)"])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try await Self.logShows("join: admitted w1 as a worker", in: cluster))

        // The manager token makes a manager, named by a Raft ID.
        let manager = try Self.join(managerToken, cluster, directory: cluster.root + "/m2", extra: ["-node", "m2", "-server"])
        #expect(manager.status == 0, "\(manager.errors)")
        let managerCredentials = try NodeCredentials(
            decoding: Array(try #require(FileManager.default.contents(atPath: cluster.root + "/m2/" + NodeCredentials.fileName))))
        #expect(managerCredentials.certificate.certificate.role == .manager)
        #expect(UInt64(managerCredentials.certificate.certificate.nodeID, radix: 16) != nil)
    }

    @Test(.timeLimit(.minutes(3)))
    func eachBadJoinIsRefusedWithItsOwnReasonAndTheClusterKeepsAdmittingHonestNodes() async throws {
        let cluster = try ManagerClusterProcess(size: 1)
        defer { cluster.stop() }
        _ = try await cluster.waitForLeader()
        let workerToken = try await Self.printedToken(Self.workerLine, in: cluster)
        let parsed = try JoinToken(parsing: workerToken)
        let root = cluster.root

        // A token naming another cluster's CA: the joiner stops before sending its proof.
        let stranger = JoinToken(caPublicKey: Ed25519KeyPair.generate().publicKey, secret: parsed.secret)
        let wrongCA = try Self.join(stranger.description, cluster, directory: root + "/a")
        #expect(wrongCA.status == 1)
        #expect(wrongCA.errors.contains("does not match the join token's digest"), "\(wrongCA.errors)")
        #expect(wrongCA.errors.contains("nothing secret was sent"))
        #expect(try await Self.logShows("without a proof", in: cluster))

        // Right cluster, wrong secret.
        let forged = JoinToken(caPublicKey: [], secret: SecureRandom.bytes(count: 32))
        let forgedText = "ROOST-1-" + workerToken.split(separator: "-")[2] + "-" + forged.description.split(separator: "-").last!
        let wrongSecret = try Self.join(forgedText, cluster, directory: root + "/b")
        #expect(wrongSecret.status == 1)
        #expect(wrongSecret.errors.contains("refused the join: the join token is not valid here"), "\(wrongSecret.errors)")

        // A worker token asking for a manager certificate.
        let promoted = try Self.join(workerToken, cluster, directory: root + "/c", extra: ["-server"])
        #expect(promoted.errors.contains("a worker join token cannot make a manager"), "\(promoted.errors)")
        #expect(try await Self.logShows("asked to join as a manager with a worker token", in: cluster))

        // Rotation: the old token is refused as rotated away; the new one works.
        let rotate = try cluster.roost(["cluster", "join-token", "worker", "-rotate", "-quiet"], on: 0)
        #expect(rotate.status == 0, "\(rotate.errors)")
        let newToken = rotate.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(newToken.hasPrefix("ROOST-1-") && newToken != workerToken)
        let stale = try Self.join(workerToken, cluster, directory: root + "/d")
        #expect(stale.errors.contains("this worker join token was rotated away (generation 1; the current one is 2)"), "\(stale.errors)")

        // A replayed handshake: the joiner's messages recorded on one connection are refused on
        // the next, whose manager hello has a fresh nonce and ephemeral key.
        let port = cluster.members[0].raftPort
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        let initiator = JoinInitiator(token: try JoinToken(parsing: newToken), nodeName: "replayer", nodeKey: .generate())
        let first = try FramedConnection.connect(host: "127.0.0.1", port: port, timeout: .seconds(5), maxFrameSize: 64 * 1024)
        try first.send(initiator.firstMessage, deadline: deadline)
        let (proof, session, _) = try initiator.receive(serverHello: try #require(try first.receive(deadline: deadline)), now: Int64(Date().timeIntervalSince1970))
        let ask = JoinAsk(role: .worker).sealed(with: session)
        try first.send(batch: [proof, ask], deadline: deadline)
        guard case .grant = try JoinAnswer(decoding: try #require(try first.receive(deadline: deadline))) else {
            Issue.record("the recorded join itself was not granted")
            return
        }
        first.close()
        let replay = try FramedConnection.connect(host: "127.0.0.1", port: port, timeout: .seconds(5), maxFrameSize: 64 * 1024)
        try replay.send(initiator.firstMessage, deadline: deadline)
        _ = try replay.receive(deadline: deadline)
        try replay.send(batch: [proof, ask], deadline: deadline)
        let replayAnswer = try JoinAnswer(decoding: try #require(try replay.receive(deadline: deadline)))
        replay.close()
        #expect(replayAnswer == .refusal(HandshakeFailure.invalidJoinProof.description))

        // A frame announcing more than the cap: refused without reading it.
        let huge = try FramedConnection.connect(host: "127.0.0.1", port: port, timeout: .seconds(5), maxFrameSize: 64 * 1024)
        try huge.sendRaw([0x00, 0x10, 0x00, 0x00, 1, 1, 2], deadline: deadline)
        let hugeAnswer = try JoinAnswer(decoding: try #require(try huge.receive(deadline: deadline)))
        huge.close()
        #expect(hugeAnswer == .refusal("the joiner's hello frame of 1048576 bytes is over the 4096-byte cap of join messages"))

        // Nothing was stored by a refused join, and an honest joiner is still admitted.
        for name in ["a", "b", "c", "d"] {
            #expect(!FileManager.default.fileExists(atPath: root + "/\(name)/" + NodeCredentials.fileName), "\(name)")
        }
        let honest = try Self.join(newToken, cluster, directory: root + "/e", extra: ["-node", "honest"])
        #expect(honest.status == 0, "\(honest.errors)")
        #expect(try cluster.roost(["node", "status"], on: 0).status == 0)
    }

    @Test(.timeLimit(.minutes(3)))
    func aManagerThatJoinedWithTheManagerTokenBecomesAVoterUnderItsCertificatesRaftID() async throws {
        let cluster = try ManagerClusterProcess(size: 1)
        defer { cluster.stop() }
        _ = try await cluster.waitForLeader()
        let managerToken = try await Self.printedToken(Self.managerLine, in: cluster)
        let directory = cluster.root + "/m2"
        let joined = try Self.join(managerToken, cluster, directory: directory, extra: ["-node", "m2", "-server"])
        #expect(joined.status == 0, "\(joined.errors)")
        let credentials = try NodeCredentials(decoding: Array(try #require(FileManager.default.contents(atPath: directory + "/" + NodeCredentials.fileName))))
        let raftID = credentials.certificate.certificate.nodeID

        // `roost agent -server -data-dir DIR` with no -join and no -bootstrap-expect: the
        // credentials say where the cluster is, and it asks to be added instead of bootstrapping.
        let ports = try ManagerClusterProcess.freePorts(3)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(DevAgentProcess.executable))
        process.arguments = [
            "agent", "-server", "-node", "m2", "-data-dir", directory, "-bind", "127.0.0.1", "-http-port", String(ports[0]),
            "-rpc-port", String(ports[1]), "-serf-port", String(ports[2]),
        ]
        let logPath = cluster.root + "/m2.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        var peers = ""
        while ContinuousClock.now < deadline {
            peers = try cluster.roost(["operator", "raft", "list-peers"], on: 0).output
            if peers.split(separator: "\n").contains(where: { $0.contains("m2") && $0.contains(raftID) && $0.hasSuffix("true") }) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let m2Log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(peers.split(separator: "\n").contains(where: { $0.contains("m2") && $0.contains(raftID) && $0.hasSuffix("true") }), "\(peers)\n\(m2Log)")
        #expect(m2Log.contains("added to the cluster as a voter"), "\(m2Log)")
        #expect(!m2Log.contains("bootstrapping"), "\(m2Log)")

        // Raft between the two runs encrypted: the founder certified itself once the identity
        // existed, m2 brought its certificate from the join, and both refuse plain Raft.
        #expect(cluster.log(of: 0).contains("Raft channels: authenticated and encrypted only"), "\(cluster.log(of: 0))")
        #expect(cluster.log(of: 0).contains("Raft channels: this manager's certificate is serial"), "\(cluster.log(of: 0))")
        #expect(m2Log.contains("Raft channels: authenticated and encrypted only"), "\(m2Log)")
        let founderID = try #require(
            UInt64(try String(contentsOfFile: cluster.members[0].dataDirectory + "/server/raft-id", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines), radix: 16))
        let socket = try Socket.connect(host: "127.0.0.1", port: cluster.members[0].raftPort, timeout: .seconds(5))
        #expect(throws: TransportError.self, "a plain Raft hello must get no answer") {
            _ = try PlainPeerChannelFactory().connect(
                socket, local: RaftNodeID(0x77), remote: RaftNodeID(founderID), maxFrameSize: 4_096,
                deadline: ContinuousClock.now.advanced(by: .seconds(10)))
        }
        socket.close()
        #expect(try await Self.logShows("refused a plain (unencrypted, unauthenticated) Raft connection", in: cluster), "\(cluster.log(of: 0))")
        // The cluster still replicates: a write on the founder is readable on m2.
        let created = try cluster.roost(["acl", "token", "create", "-name", "after-plain-probe", "-policy", "read-only"], on: 0)
        #expect(created.status == 0, "\(created.errors)")
    }
}
