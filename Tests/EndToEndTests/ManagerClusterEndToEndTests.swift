import Foundation
import HTTP
import Testing

/// Three real managers on loopback: what Raft promises a user, checked through the API.
@Suite(.serialized)
struct ManagerClusterEndToEndTests {
    static func jobBody(_ id: String) -> [UInt8] {
        let hcl = "job \"\(id)\" {\n  type = \"batch\"\n  group \"g\" {\n    task \"t\" {\n      driver = \"raw_exec\"\n      config { command = \"true\" }\n    }\n  }\n}\n"
        return Array((try? JSONSerialization.data(withJSONObject: ["JobHCL": hcl])) ?? Data())
    }

    /// The acceptance test of replication: a client registers 1,000 jobs through whichever
    /// manager answers while the leader is killed with SIGKILL part way. Every registration that
    /// was acknowledged must be on every surviving manager, and on the killed one once it is
    /// restarted (it is far behind by then and the log has been compacted, so it catches up by
    /// snapshot).
    @Test(.timeLimit(.minutes(5)))
    func killingTheLeaderLosesNoAcknowledgedRegistrationAndTheRestartedManagerCatchesUp() async throws {
        let cluster = try ManagerClusterProcess(size: 3, snapshotThreshold: 200)
        defer { cluster.stop() }
        let firstLeader = try await cluster.waitForLeader()
        let progress = RegistrationProgress()
        let total = 1_000
        let workers = 4
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    // Each worker starts on a different manager and moves on when one fails.
                    var target = worker % 3
                    for number in stride(from: worker, to: total, by: workers) {
                        let id = "job-\(number)"
                        for _ in 0..<20 {
                            if await progress.leaderKilled && target == firstLeader { target = (target + 1) % 3 }
                            if let response = try? await cluster.client(target).send(.post, "/v1/jobs", body: Self.jobBody(id)),
                               response.status.code == 200 {
                                await progress.acknowledge(id)
                                break
                            }
                            target = (target + 1) % 3
                            try await Task.sleep(for: .milliseconds(100))
                        }
                    }
                }
            }
            group.addTask {
                while await progress.acknowledged.count < 300 { try await Task.sleep(for: .milliseconds(5)) }
                cluster.kill(firstLeader)
                await progress.noteLeaderKilled()
            }
            try await group.waitForAll()
        }
        let acked = await progress.acknowledged
        #expect(await progress.leaderKilled)
        // Nearly every registration goes through (the failed ones were in flight at the kill or
        // during the election); the point is that none of those acknowledged is missing.
        #expect(acked.count >= total - 50, "only \(acked.count) of \(total) registrations were acknowledged")

        print("registered \(acked.count) of \(total); killed \(cluster.members[firstLeader].name)")
        let newLeader = try await cluster.waitForLeader(excluding: [firstLeader])
        #expect(newLeader != firstLeader)
        // Gossip declares the killed manager failed on the survivors (every agent is a member).
        let killedName = cluster.members[firstLeader].name
        let detectionStarted = ContinuousClock.now
        var killedStatus = ""
        while ContinuousClock.now - detectionStarted < .seconds(60) {
            let members = try await cluster.client(newLeader).get("/v1/agent/members")
            let list = (try JSONSerialization.jsonObject(with: Data(members.body)) as? [String: Any])?["Members"] as? [[String: Any]] ?? []
            killedStatus = list.first { $0["Name"] as? String == killedName }?["Status"] as? String ?? "missing"
            if killedStatus == "failed" { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(killedStatus == "failed", "gossip says the killed manager is \(killedStatus)")
        for survivor in 0..<3 where survivor != firstLeader {
            let listed = try await cluster.jobIDs(survivor, stale: false)
            let missing = acked.subtracting(listed)
            #expect(missing.count == 0, "\(cluster.members[survivor].name) lacks \(missing.count) acknowledged jobs, e.g. \(missing.sorted().prefix(5))")
        }

        // A torn write at the end of the killed manager's log (as a crash mid-write leaves):
        // it is cut on restart, and the manager says how much it cut.
        let walDirectory = cluster.members[firstLeader].dataDirectory + "/server/raft/wal"
        let segments = try FileManager.default.contentsOfDirectory(atPath: walDirectory).filter { !$0.hasPrefix(".") }.sorted()
        let lastSegment = try #require(segments.last, "the killed manager has no WAL segment")
        let handle = try #require(FileHandle(forWritingAtPath: walDirectory + "/" + lastSegment))
        handle.seekToEndOfFile()
        handle.write(Data(repeating: 0xA5, count: 100))
        try handle.close()

        try cluster.start(firstLeader)
        let started = ContinuousClock.now
        var missing = acked
        while ContinuousClock.now - started < .seconds(90) {
            if let listed = try? await cluster.jobIDs(firstLeader, stale: true) {
                missing = acked.subtracting(listed)
                if missing.isEmpty { break }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(cluster.log(of: firstLeader).contains("dropped 100 bytes"), "\(cluster.log(of: firstLeader).suffix(2_000))")
        #expect(missing.count == 0, "the restarted manager still lacks \(missing.count) acknowledged jobs\n\(cluster.log(of: firstLeader).suffix(3_000))")
        let snapshots = (try? FileManager.default.contentsOfDirectory(atPath: cluster.members[firstLeader].dataDirectory + "/server/raft/snapshots")) ?? []
        #expect(!snapshots.isEmpty, "the restarted manager holds no snapshot: the log was never compacted")
    }

    /// With two of three managers gone no write can commit: the survivor says so (after waiting
    /// out a possible election) instead of hanging, refuses consistent reads, and still serves
    /// `?stale` reads of what it holds.
    @Test(.timeLimit(.minutes(3)))
    func aManagerWithoutAQuorumRefusesWritesButServesStaleReads() async throws {
        let cluster = try ManagerClusterProcess(size: 3)
        defer { cluster.stop() }
        let leader = try await cluster.waitForLeader()
        let client = try cluster.client(leader)
        #expect(try await client.send(.post, "/v1/jobs", body: Self.jobBody("before")).status.code == 200)
        let survivor = (leader + 1) % 3
        _ = try await cluster.jobIDs(survivor, stale: false)
        for index in 0..<3 where index != survivor { cluster.kill(index) }

        let write = try await cluster.client(survivor).send(.post, "/v1/jobs", body: Self.jobBody("after"))
        #expect(write.status.code == 503)
        #expect(String(decoding: write.body, as: UTF8.self).contains("No cluster leader"))
        let read = try await cluster.client(survivor).get("/v1/jobs")
        #expect(read.status.code == 503)
        #expect(try await cluster.jobIDs(survivor, stale: true) == ["before"])
    }

    /// What an operator does with `roost operator` against any manager: list the peers, move
    /// leadership, save the state, restore it after later changes, and remove a dead manager so
    /// the quorum no longer counts it.
    @Test(.timeLimit(.minutes(3)))
    func operatorCommandsListMoveSaveRestoreAndRemovePeers() async throws {
        let cluster = try ManagerClusterProcess(size: 3)
        defer { cluster.stop() }
        let leader = try await cluster.waitForLeader()
        let follower = (leader + 1) % 3
        // Founded together with -bootstrap-expect: each founder certifies itself once the
        // cluster identity reaches it (then dials the others encrypted), and says that plain Raft
        // is still accepted.
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while (0..<3).contains(where: { !cluster.log(of: $0).contains("Raft channels: this manager's certificate is serial") }),
              ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        for index in 0..<3 {
            #expect(cluster.log(of: index).contains("Raft channels: this manager's certificate is serial"), "\(cluster.log(of: index))")
            #expect(cluster.log(of: index).contains("plain Raft connections are still accepted"), "\(cluster.log(of: index))")
        }
        func roost(_ arguments: String..., on index: Int) throws -> DevAgentProcess.CommandOutcome {
            try cluster.roost(arguments, on: index)
        }

        let leaderAddress = try await cluster.client(follower).get("/v1/status/leader")
        #expect(String(decoding: leaderAddress.body, as: UTF8.self) == "\"127.0.0.1:\(cluster.members[leader].raftPort)\"")

        let peers = try roost("operator", "raft", "list-peers", on: follower)
        #expect(peers.status == 0, "\(peers.errors)")
        let rows = peers.output.split(separator: "\n").dropFirst()
        #expect(rows.count == 3)
        #expect(rows.filter { $0.contains("leader") }.count == 1)
        #expect(rows.contains { $0.hasPrefix(cluster.members[leader].name) && $0.contains("leader") }, "\(peers.output)")

        // Asked through a follower; the most up-to-date other manager takes over.
        let transfer = try roost("operator", "raft", "transfer-leadership", on: follower)
        #expect(transfer.status == 0, "\(transfer.errors)")
        let newLeader = try await cluster.waitForLeader(excluding: [leader])
        #expect(newLeader != leader)

        let client = try cluster.client(follower)
        #expect(try await client.send(.post, "/v1/jobs", body: Self.jobBody("kept")).status.code == 200)
        let file = cluster.root + "/state.snap"
        let save = try roost("operator", "snapshot", "save", file, on: follower)
        #expect(save.status == 0, "\(save.errors)")
        #expect(try await client.send(.post, "/v1/jobs", body: Self.jobBody("later")).status.code == 200)
        #expect(try await cluster.jobIDs(leader, stale: false) == ["kept", "later"])
        let restore = try roost("operator", "snapshot", "restore", file, on: leader)
        #expect(restore.status == 0, "\(restore.errors)")
        for index in 0..<3 { #expect(try await cluster.jobIDs(index, stale: false) == ["kept"]) }

        // A damaged file is refused before anything changes.
        var damaged = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        damaged[damaged.count - 3] ^= 0x01
        try Data(damaged).write(to: URL(fileURLWithPath: file))
        let refused = try roost("operator", "snapshot", "restore", file, on: follower)
        #expect(refused.status != 0)
        #expect(refused.errors.contains("checksum"), "\(refused.errors)")

        // A manager that is gone for good: remove it, and two managers are a quorum of two.
        let gone = (0..<3).first { $0 != newLeader }!
        let goneID = try #require(await cluster.raftStatus(gone)?["raft_id"])
        cluster.kill(gone)
        let survivor = (0..<3).first { $0 != newLeader && $0 != gone }!
        let remove = try roost("operator", "raft", "remove-peer", "-peer-id", goneID, on: survivor)
        #expect(remove.status == 0, "\(remove.errors)")
        let after = try roost("operator", "raft", "list-peers", on: survivor)
        #expect(after.output.split(separator: "\n").dropFirst().count == 2, "\(after.output)")
        #expect(!after.output.contains(goneID))
        #expect(try await cluster.client(survivor).send(.post, "/v1/jobs", body: Self.jobBody("after-removal")).status.code == 200)

        // Nobody is added as a manager without the certificate a manager token gets.
        let stranger = #"{"id":2989,"name":"intruder","raftAddress":"127.0.0.1:1","httpAddress":"http://127.0.0.1:1"}"#
        let intruder = try await cluster.client(survivor).send(.post, "/v1/internal/raft/join", body: Array(stranger.utf8))
        #expect(intruder.status.code == 403, "\(String(decoding: intruder.body, as: UTF8.self))")
        #expect(String(decoding: intruder.body, as: UTF8.self).contains("manager token"))

        // A replacement joins with the manager token and an empty data directory: added as a
        // non-voter, promoted once caught up, and it holds the state.
        let newcomer = try cluster.addMember(via: survivor)
        let started = ContinuousClock.now
        var voters = 0
        while ContinuousClock.now - started < .seconds(60) {
            let listing = try roost("operator", "raft", "list-peers", on: survivor)
            voters = listing.output.split(separator: "\n").filter { $0.hasSuffix("true") }.count
            if voters == 3 && listing.output.contains(cluster.members[newcomer].name) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(voters == 3, "\(cluster.log(of: newcomer).suffix(2_000))")
        #expect(try await cluster.jobIDs(newcomer, stale: false) == ["kept", "after-removal"])
    }
}

/// What the registering client saw: the registrations acknowledged, and whether the leader
/// has been killed yet.
actor RegistrationProgress {
    private(set) var acknowledged: Set<String> = []
    private(set) var leaderKilled = false

    func acknowledge(_ id: String) { acknowledged.insert(id) }
    func noteLeaderKilled() { leaderKilled = true }
}
