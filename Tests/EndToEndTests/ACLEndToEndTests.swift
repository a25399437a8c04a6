import Foundation
import HTTP
import Testing

/// ACLs on a real `roost agent -server` and the real CLI: the bootstrap token printed once,
/// a submit-job token used and refused, deleted, and no secret on disk.
@Suite(.serialized)
struct ACLEndToEndTests {
    @Test(.timeLimit(.minutes(3)))
    func aSubmitJobTokenWorksInItsNamespaceIsRefusedElsewhereStopsWorkingWhenDeletedAndIsNeverOnDisk() async throws {
        // A low snapshot threshold, so the tokens are in a snapshot file as well as in the log.
        let cluster = try ManagerClusterProcess(size: 1, snapshotThreshold: 16)
        defer { cluster.stop() }
        _ = try await cluster.waitForLeader()
        let bootstrap = try #require(cluster.bootstrapToken(), "no bootstrap token in the log\n\(cluster.log(of: 0))")
        #expect(cluster.log(of: 0).components(separatedBy: ManagerClusterProcess.bootstrapLine).count == 2, "the token is printed exactly once")

        // Without a token, or with a wrong one, the CLI says what to do.
        let anonymous = try DevAgentProcess.roost(["job", "status"], address: cluster.members[0].address)
        #expect(anonymous.status == 1)
        #expect(anonymous.errors.contains("no ACL token given: set ROOST_TOKEN or --token"), "\(anonymous.errors)")
        let wrong = try cluster.roost(["job", "status", "--token", "roost_not-a-token"], on: 0)
        #expect(wrong.errors.contains("the ACL token is not valid"), "\(wrong.errors)")

        // The operator creates a token for CI, limited to namespace prod.
        let create = try cluster.roost(["acl", "token", "create", "-name", "ci-marker-7f3a", "-policy", "submit-job", "-namespace", "prod"], on: 0)
        #expect(create.status == 0, "\(create.errors)")
        let secretLine = try #require(create.output.split(separator: "\n").first { $0.hasPrefix("Secret ID") }, "\(create.output)")
        let secret = try #require(secretLine.split(separator: " ").last.map(String.init))
        #expect(secret.hasPrefix("roost_") && secret != bootstrap)
        let me = try cluster.roost(["acl", "token", "self"], on: 0, token: secret)
        #expect(me.output.contains("ci-marker-7f3a") && me.output.contains("submit-job (namespace prod)"), "\(me.output)\(me.errors)")
        let listing = try cluster.roost(["acl", "token", "list"], on: 0)
        #expect(listing.output.contains("ci-marker-7f3a") && listing.output.contains("Bootstrap management token"), "\(listing.output)")
        #expect(!listing.output.contains(secret))

        // CI registers a job in its namespace and reads the cluster.
        let directory = cluster.root
        let prodJob = directory + "/api.hcl"
        try "job \"api\" {\n  namespace = \"prod\"\n  type = \"batch\"\n  group \"g\" {\n    task \"t\" {\n      driver = \"raw_exec\"\n      config { command = \"true\" }\n    }\n  }\n}\n"
            .write(toFile: prodJob, atomically: true, encoding: .utf8)
        let run = try cluster.roost(["job", "run", "-detach", prodJob], on: 0, token: secret)
        #expect(run.status == 0, "\(run.errors)")
        // More writes through the API with the same token, enough for the log to be snapshotted.
        for number in 0..<20 {
            let body = try JSONSerialization.data(withJSONObject: [
                "JobHCL": "job \"batch-\(number)\" {\n  namespace = \"prod\"\n  type = \"batch\"\n  group \"g\" {\n    task \"t\" {\n      driver = \"raw_exec\"\n      config { command = \"true\" }\n    }\n  }\n}\n",
            ])
            let response = try await cluster.client(0).send(.post, "/v1/jobs", headers: ["X-Roost-Token": secret], body: Array(body))
            #expect(response.status.code == 200, "\(String(decoding: response.body, as: UTF8.self))")
        }
        #expect(try cluster.roost(["node", "status"], on: 0, token: secret).status == 0)

        // A job in another namespace (default), registered by the operator: CI may not stop it.
        let webJob = directory + "/web.hcl"
        try "job \"web\" {\n  type = \"batch\"\n  group \"g\" {\n    task \"t\" {\n      driver = \"raw_exec\"\n      config { command = \"true\" }\n    }\n  }\n}\n"
            .write(toFile: webJob, atomically: true, encoding: .utf8)
        #expect(try cluster.roost(["job", "run", "-detach", webJob], on: 0).status == 0)
        let stop = try cluster.roost(["job", "stop", "-detach", "web"], on: 0, token: secret)
        #expect(stop.status == 1)
        #expect(
            stop.errors.contains("token \"ci-marker-7f3a\" has policy submit-job for namespace prod; stopping jobs in namespace default needs management or submit-job for default"),
            "\(stop.errors)")
        let forbidden = try await cluster.client(0).send(.delete, "/v1/job/web", headers: ["X-Roost-Token": secret])
        #expect(forbidden.status.code == 403)
        // Nor manage tokens.
        let escalate = try cluster.roost(["acl", "token", "create", "-name", "mine", "-policy", "management"], on: 0, token: secret)
        #expect(escalate.status == 1 && escalate.errors.contains("creating ACL tokens needs management"), "\(escalate.errors)")

        // Deleted, the token stops working at once.
        let accessorLine = try #require(create.output.split(separator: "\n").first { $0.hasPrefix("Accessor ID") })
        let accessor = try #require(accessorLine.split(separator: " ").last.map(String.init))
        let delete = try cluster.roost(["acl", "token", "delete", accessor], on: 0)
        #expect(delete.status == 0, "\(delete.errors)")
        let after = try cluster.roost(["job", "status"], on: 0, token: secret)
        #expect(after.status == 1)
        #expect(after.errors.contains("the ACL token is not valid (unknown or deleted)"), "\(after.errors)")

        // On disk (Raft log and snapshots, encrypted at rest) neither the token's name nor
        // either secret appears.
        var files = Self.files(under: cluster.members[0].dataDirectory)
        let started = ContinuousClock.now
        while !files.contains(where: { $0.contains("/snapshots/") }), ContinuousClock.now - started < .seconds(30) {
            try await Task.sleep(for: .milliseconds(100))
            files = Self.files(under: cluster.members[0].dataDirectory)
        }
        #expect(files.contains { $0.contains("/snapshots/") }, "no snapshot was written: \(files)")
        var nameFound = false
        for file in files {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            if bytes.range(of: Data("ci-marker-7f3a".utf8)) != nil { nameFound = true }
            for leaked in [secret, bootstrap] {
                let randomPart = Data(leaked.dropFirst("roost_".count).utf8)
                #expect(bytes.range(of: randomPart) == nil, "\(file) holds a token's secret")
            }
        }
        #expect(!nameFound, "the token's name is readable on disk: the Raft data is not encrypted at rest")
        #expect(files.contains { $0.contains("/wal/") } && files.contains { $0.hasSuffix("data.key") }, "the search did not look at the state: \(files)")
    }

    /// Three managers: only the first leader prints a bootstrap token, even after leadership
    /// moves; followers check tokens themselves before relaying, and a token created through one
    /// manager works on all of them.
    @Test(.timeLimit(.minutes(3)))
    func threeManagersPrintOneBootstrapTokenAndEachChecksTokensBeforeRelaying() async throws {
        let cluster = try ManagerClusterProcess(size: 3)
        defer { cluster.stop() }
        let leader = try await cluster.waitForLeader()
        let follower = (leader + 1) % 3
        func printers() -> [Int] {
            (0..<3).filter { cluster.log(of: $0).contains(ManagerClusterProcess.bootstrapLine) }
        }
        #expect(printers() == [leader], "the bootstrap token was printed by \(printers()), the leader is \(leader)")

        let create = try cluster.roost(["acl", "token", "create", "-name", "dashboard", "-policy", "read-only"], on: follower)
        #expect(create.status == 0, "\(create.errors)")
        let secretLine = try #require(create.output.split(separator: "\n").first { $0.hasPrefix("Secret ID") })
        let readOnly = try #require(secretLine.split(separator: " ").last.map(String.init))
        for index in 0..<3 {
            // Each manager checks against its own copy, which has the token once it applied it.
            var status = 0
            let started = ContinuousClock.now
            while ContinuousClock.now - started < .seconds(10) {
                status = Int((try? await cluster.client(index).get("/v1/jobs", headers: ["X-Roost-Token": readOnly]))?.status.code ?? 0)
                if status == 200 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(status == 200, "manager \(index) refuses the new token")
        }

        // Refused at the follower, before anything reaches the leader.
        let write = try await cluster.client(follower).send(
            .post, "/v1/jobs", headers: ["X-Roost-Token": readOnly], body: ManagerClusterEndToEndTests.jobBody("nope"))
        #expect(write.status.code == 403)
        let transfer = try cluster.roost(["operator", "raft", "transfer-leadership"], on: follower, token: readOnly)
        #expect(transfer.status == 1)
        #expect(transfer.errors.contains("token \"dashboard\" has policy read-only; transferring leadership needs management"), "\(transfer.errors)")

        // Relayed to the leader with the management token; a new leader prints nothing.
        let moved = try cluster.roost(["operator", "raft", "transfer-leadership"], on: follower)
        #expect(moved.status == 0, "\(moved.errors)")
        let newLeader = try await cluster.waitForLeader(excluding: [leader])
        #expect(newLeader != leader)
        #expect(try await cluster.client(newLeader).send(.post, "/v1/jobs", body: ManagerClusterEndToEndTests.jobBody("after")).status.code == 200)
        #expect(printers() == [leader])
    }

    static func files(under root: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = root + "/" + relative
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue { found.append(path) }
        }
        return found
    }
}
