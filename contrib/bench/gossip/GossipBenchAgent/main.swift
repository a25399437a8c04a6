// One Roost gossip member and nothing else, for contrib/bench/gossip/gossip-bench.sh: the
// GossipShell with SWIM's LAN settings (memberlist's, which Serf's "lan" profile uses), and a
// small HTTP API the driver polls as serf_bench.py polls Serf's RPC:
//
//   GET /members[?name=N]   {"Members":[{"Name":..,"Status":..}]} (alive/suspect/failed/left)
//   PUT /join?addr=H:P      {"Num": answered}
//   PUT /leave              leaves gracefully, answers, then exits
//   GET /stats              the agent's gossip counters (UDP packets and payload bytes sent, …)
//
//   GossipBenchAgent --name NAME --port GOSSIP_PORT --http-port PORT [--encrypt BASE64]
import Foundation
import Gossip
import HTTP
import Platform
import SWIM
import Synchronization

struct Options {
    var name = "g000"
    var port = 7946
    var httpPort = 8946
    var key: String?
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst().makeIterator()
    while let flag = arguments.next() {
        let value = arguments.next() ?? ""
        switch flag {
        case "--name": options.name = value
        case "--port": options.port = Int(value) ?? options.port
        case "--http-port": options.httpPort = Int(value) ?? options.httpPort
        case "--encrypt": options.key = value.isEmpty ? nil : value
        default:
            FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8))
            exit(64)
        }
    }
    return options
}

struct MemberRow: Encodable {
    let Name: String
    let Status: String
}

struct MemberList: Encodable {
    let Members: [MemberRow]
}

let options = parseOptions()
let keyring: GossipKeyring
do {
    keyring = try options.key.map { try GossipKeyring(primary: GossipKeyring.decodeKey($0)) } ?? GossipKeyring()
} catch {
    FileHandle.standardError.write(Data("bad key: \(error)\n".utf8))
    exit(64)
}
let shell: GossipShell
do {
    shell = try GossipShell.start(settings: GossipSettings(
        nodeID: GossipSettings.nodeID(from: options.name), metadata: SWIMMetadata(nodeName: options.name),
        clusterName: "bench", bindHost: "127.0.0.1", port: options.port, keyring: keyring, swim: .lan))
} catch {
    FileHandle.standardError.write(Data("cannot start gossip: \(error)\n".utf8))
    exit(1)
}

func name(of member: SWIMMember) -> String { member.metadata.nodeName }

/// Suspect and failed verdicts this agent reached, so the driver can count false alarms
/// during an idle window (no member is down then, so every one is false).
let verdicts = Mutex<(suspect: Int, failed: Int)>((0, 0))
let events = shell.events()
Task {
    for await event in events {
        switch event {
        case .suspect: verdicts.withLock { $0.suspect += 1 }
        case .failed: verdicts.withLock { $0.failed += 1 }
        default: break
        }
    }
}

var router = HTTPRouter()
router.get("/members") { request in
    let wanted = request.queryValue("name")
    let everyone = [shell.localMember] + shell.members
    let rows = everyone.filter { wanted == nil || name(of: $0) == wanted }.map { MemberRow(Name: name(of: $0), Status: $0.status.description) }
    let bytes = (try? JSONEncoder().encode(MemberList(Members: rows))).map { Array($0) } ?? []
    return .json(bytes)
}
router.put("/join") { request in
    let addresses = (request.queryValue("addr") ?? "").split(separator: ",").compactMap { GossipSettings.address(from: String($0)) }
    let answered = await shell.join(addresses)
    return .json(Array("{\"Num\":\(answered)}".utf8))
}
router.put("/leave") { _ in
    Task {
        await shell.leave()
        exit(0)
    }
    return .json(Array("{\"Leaving\":true}".utf8))
}
router.get("/stats") { _ in
    let statistics = shell.statistics
    let counters = [
        ("udp_packets_sent", statistics.packetsSent), ("udp_bytes_sent", statistics.bytesSent),
        ("udp_packets_received", statistics.packetsReceived), ("swim_messages_sent", statistics.messagesSent),
        ("tcp_bytes_sent", statistics.tcpBytesSent), ("tcp_exchanges", statistics.tcpExchanges),
        ("dropped", statistics.droppedTotal),
        ("suspect_events", verdicts.withLock { $0.suspect }), ("failed_events", verdicts.withLock { $0.failed }),
    ]
    return .json(Array(("{" + counters.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}").utf8))
}
let server = HTTPServer(settings: HTTPServerSettings(host: "127.0.0.1", port: options.httpPort), handler: router.handler)
do {
    try server.start()
} catch {
    FileHandle.standardError.write(Data("cannot listen on \(options.httpPort): \(error)\n".utf8))
    exit(1)
}
print("gossip \(shell.address) http \(server.address)")
let (signals, received) = SignalWatcher.stream()
for await _ in received { break }
signals.cancel()
await shell.stop()
exit(0)
