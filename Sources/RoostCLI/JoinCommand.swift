import ClusterSecurity
import Foundation
import RaftRuntime
import Sodium

/// `roost join --token TOKEN MANAGER -data-dir DIR`: makes this machine a member. It draws the
/// node's key, runs the join exchange with the manager's RPC port (docs/security.md, "Join
/// service"), checks what it got, and stores it in DIR for the agent to start from.
enum JoinCommand: Command {
    static let name = "join"
    static let abstract = "Join a server cluster with a join token (becomes a worker, or a manager with -server)."
    static let usage = "--token TOKEN MANAGER[:PORT] -data-dir DIR [-node NAME] [-server]"
    static let discussion = """
        TOKEN comes from `roost cluster join-token worker` (or `manager`) on a manager. MANAGER is
        a manager's address; PORT is its RPC port (default 4647). Before sending anything secret
        the command checks that the manager's CA is the one the token names. On success DIR holds
        the node's key (readable only by its owner), its certificate, the CA key, the cluster ID,
        the gossip keyring and the managers' addresses.
        """
    static var options: [OptionDescription] {
        [
            OptionDescription("token", kind: .value(placeholder: "TOKEN"), help: "The join token (ROOST-1-…)."),
            OptionDescription("data-dir", kind: .value(placeholder: "DIR"), displayPrefix: "-", help: "Where to store the node's credentials."),
            OptionDescription("node", kind: .value(placeholder: "NAME"), displayPrefix: "-", help: "The node's name (default: the host name)."),
            OptionDescription("server", displayPrefix: "-", help: "Join as a manager (needs a manager token)."),
        ]
    }

    static let defaultPort = 4647
    static let timeout: Duration = .seconds(20)

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let address = arguments.positionals.first else {
            throw .usage("\"\(context.commandPath)\" takes exactly one MANAGER address", hint: "for example: roost join --token ROOST-1-… 10.0.0.1 -data-dir /var/lib/roost")
        }
        guard let tokenText = arguments.values(of: "token").last ?? context.environment["ROOST_JOIN_TOKEN"] else {
            throw .usage("--token is required", hint: "get one with `roost cluster join-token worker` on a manager")
        }
        guard let directory = arguments.values(of: "data-dir").last, !directory.isEmpty else {
            throw .usage("-data-dir is required: the node's credentials are stored there")
        }
        let token: JoinToken
        do {
            token = try JoinToken(parsing: tokenText)
        } catch {
            throw .failure("--token: \(error)")
        }
        guard let (host, port) = Self.hostAndPort(address) else {
            throw .usage("\"\(address)\" is not a manager address: use HOST or HOST:PORT (IPv6: [ADDRESS]:PORT)")
        }
        let role: NodeRole = arguments.flag("server") == true ? .manager : .worker
        let nodeName = arguments.values(of: "node").last ?? ProcessInfo.processInfo.hostName
        let file = Self.credentialsPath(in: directory)
        if FileManager.default.fileExists(atPath: file) {
            throw .failure("\(file) already exists: this data directory belongs to a node that joined already; remove the file to join again")
        }
        let nodeKey = Ed25519KeyPair.generate()
        let grant = try Self.exchange(token: token, host: host, port: port, nodeName: nodeName, role: role, nodeKey: nodeKey)
        let credentials = NodeCredentials(nodeKey: nodeKey, grant: grant)
        try Self.store(credentials, in: directory)
        let certificate = grant.certificate.certificate
        context.writeLine("==> Joined cluster \(Self.hex(grant.clusterID)) as \(certificate.role) \"\(certificate.nodeName)\"")
        context.writeLine("    Node ID: \(certificate.nodeID)")
        context.writeLine("    Certificate: serial \(certificate.serial), valid until \(Date(timeIntervalSince1970: TimeInterval(certificate.notAfter)))")
        context.writeLine("    Gossip keyring: \(grant.gossipKeys.count) key(s)")
        for manager in grant.managers {
            context.writeLine("    Manager \(manager.name): RPC \(manager.rpc), API \(manager.http), gossip \(manager.gossip)")
        }
        context.writeLine("    Credentials: \(file)")
        if certificate.role == .manager {
            context.writeLine("==> Next: run `roost agent -server -data-dir \(directory)` here to add this manager to Raft (as a learner, then a voter).")
        } else {
            context.writeLine("==> Next: run `roost agent -worker -data-dir \(directory)` here (or a systemd unit that does); it reaches the managers listed above.")
        }
        return .success
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port`.
    static func hostAndPort(_ text: String) -> (String, Int)? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return host.isEmpty ? nil : (host, defaultPort) }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65_535).contains(port), !host.isEmpty else { return nil }
            return (host, port)
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return text.isEmpty ? nil : (text, defaultPort)
        case 2:
            guard !parts[0].isEmpty, let port = Int(parts[1]), (1...65_535).contains(port) else { return nil }
            return (String(parts[0]), port)
        default: return (text, defaultPort)  // a bare IPv6 address
        }
    }

    /// The join exchange, joiner's side. Every failure names what went wrong and what to do.
    static func exchange(token: JoinToken, host: String, port: Int, nodeName: String, role: NodeRole, nodeKey: Ed25519KeyPair) throws(CommandError) -> JoinGrant {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let place = "the manager at \(host):\(port)"
        let connection: FramedConnection
        do {
            connection = try FramedConnection.connect(host: host, port: port, timeout: .seconds(10), maxFrameSize: JoinGrant.maximumSize + 1_024)
        } catch {
            throw .failure("cannot reach \(place): \(error)", hint: "check the address and that the manager's RPC port (default 4647) is open")
        }
        defer { connection.close() }
        do {
            let initiator = JoinInitiator(token: token, nodeName: nodeName, nodeKey: nodeKey)
            try connection.send(initiator.firstMessage, deadline: deadline)
            let serverHello = try Self.answer(from: connection, deadline: deadline, place: place)
            let (proof, session, caPublicKey) = try initiator.receive(serverHello: serverHello, now: Self.now)
            try connection.send(batch: [proof, JoinAsk(role: role).sealed(with: session)], deadline: deadline)
            let answer = try JoinAnswer(decoding: try Self.answer(from: connection, deadline: deadline, place: place))
            guard case .grant(let sealed) = answer else {
                if case .refusal(let reason) = answer { throw CommandError.failure("\(place) refused the join: \(reason)") }
                throw CommandError.failure("\(place) sent no grant")
            }
            let grant = try JoinGrant(opening: sealed, with: session)
            let policy = CertificatePolicy(caPublicKey: caPublicKey, clusterID: grant.clusterID, allowedRoles: [role])
            if let problem = policy.problem(with: grant.certificate, now: Self.now) {
                throw CommandError.failure("\(place) granted a certificate this node cannot use: \(problem)")
            }
            guard grant.caPublicKey == caPublicKey, grant.certificate.certificate.publicKey == nodeKey.publicKey else {
                throw CommandError.failure("\(place) granted a certificate for another key or CA; nothing was stored")
            }
            return grant
        } catch let error as CommandError {
            throw error
        } catch let failure as HandshakeFailure {
            throw .failure("joining through \(place) failed: \(failure)")
        } catch {
            throw .failure("joining through \(place) failed: \(error)")
        }
    }

    /// The manager's next frame; a refusal in its place becomes the error.
    private static func answer(from connection: FramedConnection, deadline: ContinuousClock.Instant, place: String) throws -> [UInt8] {
        guard let frame = try connection.receive(deadline: deadline) else {
            throw CommandError.failure("\(place) closed the connection during the join", hint: "its log says why")
        }
        if frame.first == 2, case .refusal(let reason)? = try? JoinAnswer(decoding: frame) {
            throw CommandError.failure("\(place) refused the join: \(reason)")
        }
        return frame
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
