// One Roost Raft node serving a key-value store over the two calls of etcd's v3 HTTP/JSON
// gateway that the shared load client speaks (`POST /v3/kv/put`, `POST /v3/maintenance/status`),
// so Roost's Raft and etcd can be driven by the same client, with the same value sizes and
// concurrency, in one run (contrib/bench/raft/raft-bench.sh).
//
//   RaftKVBench --id 1 --http-port 23379 --raft-port 23479 --data DIR \
//               --peers 1=127.0.0.1:23479,2=127.0.0.1:23480,3=127.0.0.1:23481 [--tick-ms 100]
//
// Followers answer puts with 503 (the client then tries another member), as the harness
// only needs the leader to take writes. Every put is acknowledged after it is committed
// (fsynced on a quorum) and applied, as etcd's are.
import Foundation
import HTTP
import Platform
import Raft
import RaftRuntime
import Synchronization

final class KeyValueStore: RaftStateMachine {
    private let values = Mutex<[String: [UInt8]]>([:])

    /// Commands are `[key length: 4 bytes big-endian][key][value]`.
    func apply(_ command: [UInt8], at index: UInt64) -> [UInt8] {
        guard command.count >= 4 else { return [] }
        let length = Int(command[0]) << 24 | Int(command[1]) << 16 | Int(command[2]) << 8 | Int(command[3])
        guard length <= command.count - 4 else { return [] }
        let key = String(decoding: command[4..<(4 + length)], as: UTF8.self)
        let value = Array(command[(4 + length)...])
        values.withLock { $0[key] = value }
        return []
    }

    func snapshot() -> [UInt8] {
        var bytes: [UInt8] = []
        values.withLock { values in
            // Records of `[key length][key][value length][value]`.
            for (key, value) in values {
                bytes += Self.lengthBytes(key.utf8.count) + Array(key.utf8) + Self.lengthBytes(value.count) + value
            }
        }
        return bytes
    }

    func restore(_ snapshot: [UInt8]) throws {
        var restored: [String: [UInt8]] = [:]
        var position = 0
        func readLength() -> Int? {
            guard position + 4 <= snapshot.count else { return nil }
            defer { position += 4 }
            return Int(snapshot[position]) << 24 | Int(snapshot[position + 1]) << 16 | Int(snapshot[position + 2]) << 8 | Int(snapshot[position + 3])
        }
        while let keyLength = readLength(), position + keyLength <= snapshot.count {
            let key = String(decoding: snapshot[position..<(position + keyLength)], as: UTF8.self)
            position += keyLength
            guard let valueLength = readLength(), position + valueLength <= snapshot.count else { break }
            restored[key] = Array(snapshot[position..<(position + valueLength)])
            position += valueLength
        }
        values.withLock { $0 = restored }
    }

    static func lengthBytes(_ length: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: length >> 24), UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
    }

    static func command(key: [UInt8], value: [UInt8]) -> [UInt8] {
        var command: [UInt8] = []
        command.reserveCapacity(4 + key.count + value.count)
        command += lengthBytes(key.count)
        command += key
        command += value
        return command
    }
}

struct Options {
    var id: UInt64 = 0
    var httpPort = 0
    var raftPort = 0
    var data = ""
    var peers: [RaftNodeID: PeerAddress] = [:]
    var tickMilliseconds = 100

    init(_ arguments: [String]) throws {
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next() else { throw OptionError(message: "\(flag) needs a value") }
            switch flag {
            case "--id": id = UInt64(value) ?? 0
            case "--http-port": httpPort = Int(value) ?? 0
            case "--raft-port": raftPort = Int(value) ?? 0
            case "--data": data = value
            case "--tick-ms": tickMilliseconds = Int(value) ?? 100
            case "--peers":
                for item in value.split(separator: ",") {
                    let parts = item.split(separator: "=", maxSplits: 1)
                    let address = parts.count == 2 ? parts[1].split(separator: ":") : []
                    guard parts.count == 2, let peer = UInt64(parts[0]), address.count == 2, let port = Int(address[1]) else {
                        throw OptionError(message: "--peers wants ID=HOST:PORT,…; got \(item)")
                    }
                    peers[RaftNodeID(peer)] = PeerAddress(host: String(address[0]), port: port)
                }
            default: throw OptionError(message: "unknown option \(flag)")
            }
        }
        guard id > 0, httpPort > 0, raftPort > 0, !data.isEmpty, peers[RaftNodeID(id)] != nil else {
            throw OptionError(message: "usage: RaftKVBench --id N --http-port P --raft-port P --data DIR --peers ID=HOST:PORT,…")
        }
    }
}

struct OptionError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

func json(_ object: [String: Any], status: HTTPStatus = .ok) -> HTTPResponse {
    let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
    return HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: Array(data))
}

let options: Options
do {
    options = try Options(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(64)
}
let store = KeyValueStore()
let settings = RaftShellSettings(
    // The leader sends its appends before its own fsync, overlapping it with the followers'
    // (safe: it counts itself toward commitment only once its entries are durable).
    // A fresh seed per start, as `roost agent -server` does: with a fixed one a restarted node
    // would draw the same election timeouts every run, and failover times would not vary as
    // etcd's (random) ones do.
    raft: RaftSettings(id: RaftNodeID(options.id), seed: UInt64.random(in: 1...UInt64.max), sendAppendsBeforePersist: true),
    dataDirectory: options.data,
    listenPort: options.raftPort, peers: options.peers, tickInterval: .milliseconds(options.tickMilliseconds),
    bootstrapVoters: Set(options.peers.keys))
let shell: RaftShell
do {
    shell = try await RaftShell.start(settings: settings, stateMachine: store)
} catch {
    FileHandle.standardError.write(Data("RaftKVBench \(options.id): cannot start: \(error)\n".utf8))
    exit(1)
}
let memberID = String(options.id)

var router = HTTPRouter()
/// Puts are answered from the Raft shell's thread once applied, with no task in between:
/// the event loop hands the proposal over, and the shell's completion hands the answer back.
let putPath = "/v3/kv/put"
let answerHead = Array(#"{"header":{"member_id":""#.utf8) + Array(memberID.utf8) + Array(#"","raft_term":""#.utf8)
let directPut: HTTPServer.DirectHandler = { request, responder in
    guard request.method == .post, request.path == putPath else { return false }
    guard let put = PutRequest(body: request.body) else {
        responder.respond(json(["error": "bad request", "code": 3], status: .badRequest))
        return true
    }
    shell.propose(KeyValueStore.command(key: put.key, value: put.value)) { result in
        switch result {
        case .success:
            // Written by hand: the same bytes JSONSerialization would give, at a fraction of the cost.
            let body = answerHead + Array(String(shell.latestSoftState.term).utf8) + Array(#""}}"#.utf8)
            responder.respond(HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], body: body))
        case .failure(let error):
            responder.respond(json(["error": "\(error)", "code": 14], status: .serviceUnavailable))
        }
    }
    return true
}
router.post("/v3/maintenance/status") { _ in
    let soft = await shell.softState
    let applied = await shell.appliedIndex
    return json([
        "header": ["member_id": memberID], "leader": String(soft.leader.rawValue),
        "raftTerm": String(soft.term), "raftIndex": String(applied),
    ])
}
let server = HTTPServer(
    settings: HTTPServerSettings(host: "127.0.0.1", port: options.httpPort), direct: directPut, handler: router.handler)
do {
    try server.start()
} catch {
    FileHandle.standardError.write(Data("RaftKVBench \(options.id): cannot listen on port \(options.httpPort): \(error)\n".utf8))
    await shell.shutdown()
    exit(1)
}
print("RaftKVBench \(options.id): http 127.0.0.1:\(server.port), raft 127.0.0.1:\(shell.port)")

let (watcher, signals) = SignalWatcher.stream()
for await _ in signals { break }
watcher.cancel()
await server.shutdown()
await shell.shutdown()
