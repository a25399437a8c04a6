import Foundation
import Raft

/// Datadriven scripts (`testdata/*.txt`): each case is one command line, a `----` line, and the
/// output expected from it, ended by a blank line. Lines starting with `#` between cases are
/// comments. With `REWRITE=1` the runner writes the actual output back for review.
struct RaftScript {
    struct Case {
        var comments: [String]
        var command: String
        var expected: [String]
        var line: Int
    }

    var cases: [Case] = []
    var trailingComments: [String] = []

    init(text: String) {
        var comments: [String] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var position = 0
        while position < lines.count {
            let line = lines[position]
            if line.hasPrefix("#") || line.trimmingCharacters(in: .whitespaces).isEmpty {
                if !line.isEmpty || !comments.isEmpty { comments.append(line) }
                position += 1
                continue
            }
            let start = position + 1
            position += 1
            guard position < lines.count, lines[position] == "----" else {
                cases.append(Case(comments: comments, command: line, expected: ["<missing ---->"], line: start))
                comments = []
                continue
            }
            position += 1
            var expected: [String] = []
            while position < lines.count, !lines[position].isEmpty {
                expected.append(lines[position])
                position += 1
            }
            cases.append(Case(comments: comments, command: line, expected: expected, line: start))
            comments = []
        }
        while comments.last?.isEmpty == true { comments.removeLast() }
        trailingComments = comments
    }

    /// The file again, with each case's output replaced by `outputs`.
    func rendered(outputs: [[String]]) -> String {
        var text = ""
        for (item, output) in zip(cases, outputs) {
            var comments = item.comments
            while comments.last?.isEmpty == true { comments.removeLast() }
            for comment in comments { text += comment + "\n" }
            text += item.command + "\n----\n"
            for line in output { text += line + "\n" }
            text += "\n"
        }
        for comment in trailingComments { text += comment + "\n" }
        return text
    }
}

/// Runs script commands against a `RaftTestCluster` and describes what happened.
struct RaftScriptRunner {
    var cluster = RaftTestCluster(voters: [1])

    struct Arguments {
        var values: [String: String] = [:]
        var words: [String] = []

        init(_ tokens: ArraySlice<Substring>) {
            for token in tokens {
                if let equals = token.firstIndex(of: "=") {
                    values[String(token[..<equals])] = String(token[token.index(after: equals)...])
                } else {
                    words.append(String(token))
                }
            }
        }

        func id(_ key: String = "id") -> UInt64 { UInt64(values[key] ?? "") ?? 0 }
        func list(_ key: String) -> [UInt64] { (values[key] ?? "").split(separator: ",").compactMap { UInt64($0) } }
        func int(_ key: String, default fallback: Int) -> Int { Int(values[key] ?? "") ?? fallback }
        func bool(_ key: String, default fallback: Bool) -> Bool { values[key].map { $0 == "true" } ?? fallback }
    }

    mutating func run(_ command: String) -> [String] {
        let tokens = command.split(separator: " ")
        guard let name = tokens.first else { return [] }
        let arguments = Arguments(tokens.dropFirst())
        switch name {
        case "cluster":
            cluster = RaftTestCluster(voters: arguments.list("voters"), learners: arguments.list("learners")) { settings in
                settings.preVote = arguments.bool("prevote", default: true)
                settings.checkQuorum = arguments.bool("checkquorum", default: true)
                settings.maxAppendBytes = arguments.int("max-append-bytes", default: settings.maxAppendBytes)
                settings.electionTimeoutTicks = arguments.int("election", default: 10)
            }
            return ["ok"]
        case "log":
            let id = arguments.id()
            var disk = TestDisk()
            disk.snapshot = cluster.bootstrapSnapshot
            let terms = arguments.list("terms")
            disk.entries = terms.enumerated().map { LogEntry(term: $0.element, index: UInt64($0.offset + 1), data: Array("\($0.element)".utf8)) }
            disk.hardState = HardState(term: UInt64(arguments.int("term", default: Int(terms.max() ?? 0))), commit: UInt64(arguments.int("commit", default: 0)))
            cluster.setDisk(id, disk)
            return [describeLog(id)]
        case "campaign":
            cluster[arguments.id()].campaign()
            cluster.process(RaftNodeID(arguments.id()))
            return ["ok"]
        case "tick":
            let id = arguments.id()
            cluster.tick(id, times: arguments.int("n", default: 1))
            return ["ok"]
        case "tick-all":
            for _ in 0..<arguments.int("n", default: 1) {
                cluster.tickAll()
                if arguments.words.contains("stabilize") { cluster.stabilize() }
            }
            return ["ok"]
        case "propose":
            let outcome = cluster.propose(arguments.id(), arguments.values["data"] ?? "")
            return ["\(outcome)"]
        case "transfer":
            let outcome = cluster[arguments.id()].transferLeadership(to: RaftNodeID(arguments.id("to")))
            cluster.process(RaftNodeID(arguments.id()))
            return ["\(outcome)"]
        case "stabilize":
            let before = cluster.delivered.count
            cluster.stabilize()
            let messages = cluster.delivered[before...]
            if arguments.words.contains("quiet") { return ["\(messages.count) messages"] }
            return messages.isEmpty ? ["(nothing)"] : messages.map(Self.describe)
        case "deliver":
            let delivered = cluster.deliver(where: filter(arguments))
            return delivered.isEmpty ? ["(nothing)"] : delivered.map(Self.describe)
        case "drop":
            cluster.processAll()
            let matches = filter(arguments)
            let dropped = cluster.pending.filter(matches)
            cluster.drop(where: matches)
            return dropped.isEmpty ? ["(nothing)"] : dropped.map { "dropped " + Self.describe($0) }
        case "pending":
            cluster.processAll()
            return cluster.pending.isEmpty ? ["(nothing)"] : cluster.pending.map(Self.describe)
        case "isolate":
            cluster.isolate(arguments.id())
            return ["ok"]
        case "partition":
            cluster.partition(arguments.words.map { $0.split(separator: ",").compactMap { UInt64($0) } })
            return ["ok"]
        case "heal":
            cluster.heal()
            return ["ok"]
        case "crash":
            cluster.crash(arguments.id())
            return ["ok"]
        case "restart":
            cluster.restart(arguments.id())
            return ["ok"]
        case "status":
            return cluster.ids.map { describeStatus($0.rawValue) }
        case "logs":
            return cluster.ids.map { describeLog($0.rawValue) }
        case "applied":
            return cluster.ids.map { "\($0): " + cluster.appliedCommands($0.rawValue).joined(separator: " ") }
        case "safety":
            return [cluster.safetyViolation() ?? "ok"]
        default:
            return ["unknown command \(name)"]
        }
    }

    func filter(_ arguments: Arguments) -> (RaftMessage) -> Bool {
        let from = arguments.id("from")
        let to = arguments.id("to")
        let kind = arguments.values["kind"]
        return { message in
            (from == 0 || message.from.rawValue == from) && (to == 0 || message.to.rawValue == to)
                && (kind == nil || Self.shortName(message.kind) == kind)
        }
    }

    func describeStatus(_ id: UInt64) -> String {
        let node = cluster.node(id)
        let instance = node.instance
        guard node.isUp else { return "\(id): down" }
        return "\(id): \(instance.role) term=\(instance.term) leader=\(instance.leader.rawValue) commit=\(instance.commitIndex) last=\(instance.lastIndex)"
    }

    func describeLog(_ id: UInt64) -> String {
        let instance = cluster[id]
        let entries = instance.entries(from: instance.firstIndex, through: instance.lastIndex)
        let terms = entries.map { "\($0.term)" }.joined(separator: " ")
        return "\(id): [\(terms)] commit=\(instance.commitIndex)"
    }

    static func shortName(_ kind: RaftMessage.Kind) -> String {
        switch kind {
        case .appendEntries: "app"
        case .appendEntriesResponse: "app-resp"
        case .requestVote: "vote"
        case .requestVoteResponse: "vote-resp"
        case .requestPreVote: "pre-vote"
        case .requestPreVoteResponse: "pre-vote-resp"
        case .heartbeat: "hb"
        case .heartbeatResponse: "hb-resp"
        case .installSnapshot: "snap"
        case .installSnapshotResponse: "snap-resp"
        case .timeoutNow: "timeout-now"
        case .readIndex: "read"
        case .readIndexResponse: "read-resp"
        }
    }

    static func describe(_ message: RaftMessage) -> String {
        var text = "\(message.from)->\(message.to) \(shortName(message.kind)) t\(message.term)"
        switch message.kind {
        case .appendEntries:
            let entries = message.entries.map { "\($0.index)@t\($0.term)" }.joined(separator: " ")
            text += " prev=\(message.index)@t\(message.logTerm) commit=\(message.commit) [\(entries)]"
        case .appendEntriesResponse:
            text += message.reject ? " reject index=\(message.index) hint=\(message.hintIndex)@t\(message.hintTerm)" : " index=\(message.index)"
        case .requestVote, .requestPreVote:
            text += " last=\(message.index)@t\(message.logTerm)"
        case .requestVoteResponse, .requestPreVoteResponse:
            text += message.reject ? " rejected" : " granted"
        case .heartbeat:
            text += " commit=\(message.commit)"
        case .installSnapshot:
            text += " offset=\(message.snapshotOffset)/\(message.snapshotTotalBytes)" + (message.snapshotDone ? " done" : "")
        case .installSnapshotResponse:
            text += " offset=\(message.snapshotOffset)" + (message.snapshotDone ? " done" : "") + (message.reject ? " rejected" : "")
        case .readIndexResponse:
            text += " index=\(message.index)"
        case .heartbeatResponse, .timeoutNow, .readIndex:
            break
        }
        return text
    }
}
