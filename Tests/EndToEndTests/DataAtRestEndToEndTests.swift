import Foundation
import HTTP
import Testing

/// A real `roost agent -server` keeps its Raft data encrypted at rest: what a user registers
/// never appears in the data directory's bytes, yet survives a crash and a restart; a lost or
/// replaced data key stops the server with an error that says what to do.
@Suite(.serialized)
struct DataAtRestEndToEndTests {
    static let jobMarker = "atrest-marker-job-5be1"
    static let tokenMarker = "atrest-marker-token-93d0"

    static func jobBody(_ id: String) -> [UInt8] {
        let hcl = """
            job "\(id)" {
              type = "batch"
              meta { note = "\(jobMarker)-note" }
              group "g" {
                task "t" {
                  driver = "raw_exec"
                  config { command = "\(jobMarker)-command" }
                }
              }
            }

            """
        return Array((try? JSONSerialization.data(withJSONObject: ["JobHCL": hcl])) ?? Data())
    }

    /// Every regular file under `directory` whose bytes contain `marker`.
    static func files(under directory: String, containing marker: String) -> [String] {
        let needle = Data(marker.utf8)
        let enumerator = FileManager.default.enumerator(atPath: directory)
        var hits: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            let path = directory + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let bytes = FileManager.default.contents(atPath: path) else { continue }
            if bytes.range(of: needle) != nil { hits.append(relative) }
        }
        return hits
    }

    static func waitForExit(_ cluster: ManagerClusterProcess, _ index: Int, timeout: Duration = .seconds(60)) async throws -> Bool {
        let started = ContinuousClock.now
        while ContinuousClock.now - started < timeout {
            if cluster.members[index].process?.isRunning == false { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test(.timeLimit(.minutes(4)))
    func registeredJobsAndTokenNamesNeverAppearInTheDataDirectoryYetSurviveARestart() async throws {
        let cluster = try ManagerClusterProcess(size: 1, snapshotThreshold: 16)
        defer { cluster.stop() }
        _ = try await cluster.waitForLeader()
        let client = try cluster.client(0)
        // Enough entries for the log to be snapshotted and compacted: snapshots are checked too.
        let ids = (0..<40).map { "\(Self.jobMarker)-\($0)" }
        for id in ids {
            let response = try await client.send(.post, "/v1/jobs", body: Self.jobBody(id))
            #expect(response.status.code == 200, "\(String(decoding: response.body, as: UTF8.self))")
        }
        let created = try cluster.roost(["acl", "token", "create", "-name", Self.tokenMarker, "-policy", "management"], on: 0)
        #expect(created.status == 0, "\(created.errors)")

        let dataDirectory = cluster.members[0].dataDirectory
        let snapshots = (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory + "/server/raft/snapshots")) ?? []
        #expect(snapshots.contains { $0.hasSuffix(".snap") }, "no snapshot was taken: \(snapshots)")
        let keyAttributes = try? FileManager.default.attributesOfItem(atPath: dataDirectory + "/server/data.key")
        #expect((keyAttributes?[.posixPermissions] as? Int) == 0o600, "the data key is missing or readable by others")
        #expect(cluster.log(of: 0).contains("Data at rest: encrypted"))

        cluster.kill(0)
        #expect(Self.files(under: dataDirectory, containing: Self.jobMarker) == [])
        #expect(Self.files(under: dataDirectory, containing: Self.tokenMarker) == [])

        try cluster.start(0)
        _ = try await cluster.waitForLeader()
        #expect(try await cluster.jobIDs(0, stale: false) == Set(ids))
        let job = try await cluster.client(0).get("/v1/job/\(ids[7])")
        #expect(String(decoding: job.body, as: UTF8.self).contains("\(Self.jobMarker)-note"))
        let tokens = try cluster.roost(["acl", "token", "list"], on: 0)
        #expect(tokens.output.contains(Self.tokenMarker), "\(tokens.output)\(tokens.errors)")
    }

    @Test(.timeLimit(.minutes(3)))
    func aReplacedOrMissingDataKeyStopsTheServerWithAnErrorSayingWhatToDo() async throws {
        let cluster = try ManagerClusterProcess(size: 1)
        defer { cluster.stop() }
        _ = try await cluster.waitForLeader()
        let client = try cluster.client(0)
        #expect(try await client.send(.post, "/v1/jobs", body: Self.jobBody("kept")).status.code == 200)
        cluster.kill(0)
        let keyPath = cluster.members[0].dataDirectory + "/server/data.key"
        let original = try #require(FileManager.default.contents(atPath: keyPath))

        // Another server's key: the log does not open.
        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: URL(fileURLWithPath: keyPath))
        try cluster.start(0)
        #expect(try await Self.waitForExit(cluster, 0))
        #expect(cluster.members[0].process?.terminationStatus == 1)
        #expect(cluster.log(of: 0).contains("does not open with the data key"), "\(cluster.log(of: 0).suffix(2_000))")
        cluster.kill(0)

        // No key beside existing data: refused, and no new key is made.
        try FileManager.default.removeItem(atPath: keyPath)
        try cluster.start(0)
        #expect(try await Self.waitForExit(cluster, 0))
        #expect(cluster.log(of: 0).contains("data.key is missing") && cluster.log(of: 0).contains("-data-encryption=false"))
        #expect(!FileManager.default.fileExists(atPath: keyPath))
        cluster.kill(0)

        // The right key again, readable by others: refused until chmod 600.
        FileManager.default.createFile(atPath: keyPath, contents: original, attributes: [.posixPermissions: 0o644])
        try cluster.start(0)
        #expect(try await Self.waitForExit(cluster, 0))
        #expect(cluster.log(of: 0).contains("chmod 600"))
        cluster.kill(0)

        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
        try cluster.start(0)
        _ = try await cluster.waitForLeader()
        #expect(try await cluster.jobIDs(0, stale: false) == ["kept"])
    }
}
