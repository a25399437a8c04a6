import ClusterSecurity
import Foundation
import Testing

/// Certificates expire, and every node renews its own before that: a cluster whose managers
/// issue certificates valid for one minute keeps working past the expiry of every certificate
/// it started with — the worker keeps its channel and takes new work, and a manager restarted
/// after its join certificate expired rejoins Raft with the renewed one.
@Suite(.serialized)
struct CertificateRenewalEndToEndTests {
    static let job = """
        job "after-renewal" {
          group "g" {
            task "sleep" {
              driver = "raw_exec"
              config {
                command = "/bin/sleep"
                args    = ["3600"]
              }
              resources {
                cpu    = 50
                memory = 32
              }
            }
          }
        }
        """

    static func certificate(at path: String) -> NodeCertificate? {
        guard let data = FileManager.default.contents(atPath: path), let credentials = try? NodeCredentials(decoding: Array(data)) else { return nil }
        return credentials.certificate.certificate
    }

    @Test(.timeLimit(.minutes(5)))
    func aClusterWithOneMinuteCertificatesOutlivesAllOfItsFirstCertificates() async throws {
        guard DevAgentProcess.isRoot else {
            print("CertificateRenewalEndToEndTests skipped: needs root (network namespaces, and cgroups for the worker's task)")
            return
        }
        let cluster = try MachineCluster(managers: 2, workers: 1)
        cluster.managerArguments = ["-cert-validity", "60s"]
        defer { cluster.stop() }
        try cluster.startFirstManager()
        _ = await cluster.waitFor("the first manager printed its tokens", within: .seconds(30)) {
            cluster.joinToken(.worker) != nil && cluster.joinToken(.manager) != nil && cluster.bootstrapToken() != nil
        }
        try cluster.join(1)
        try cluster.join(2)
        let formed = await cluster.waitFor("m2 voting and w1 ready", within: .seconds(60)) {
            guard let object = await cluster.json("/v1/operator/raft/configuration", from: 0) as? [String: Any],
                  let servers = object["Servers"] as? [[String: Any]], servers.filter({ $0["Voter"] as? Bool == true }).count == 2
            else { return false }
            return await cluster.nodeStatus("w1", from: 0) == "ready"
        }
        try #require(formed != nil, "\(cluster.logs())")

        // The certificates each node holds now: the first manager's own (self-issued once the
        // identity existed), and the ones m2 and w1 received when they joined.
        let paths = [
            "m1": cluster.machines[0].dataDirectory + "/server/" + NodeCredentials.fileName,
            "m2": cluster.machines[1].dataDirectory + "/" + NodeCredentials.fileName,
            "w1": cluster.machines[2].dataDirectory + "/" + NodeCredentials.fileName,
        ]
        let renewedPaths = [
            "m1": paths["m1"]!, "m2": cluster.machines[1].dataDirectory + "/server/" + NodeCredentials.fileName, "w1": paths["w1"]!,
        ]
        var first: [String: NodeCertificate] = [:]
        for (name, path) in paths { first[name] = try #require(Self.certificate(at: path), "no certificate for \(name) at \(path)") }
        let lastExpiry = first.values.map(\.notAfter).max()!
        print("CertificateRenewalEndToEndTests: first serials \(first.mapValues(\.serial)), validity \(first["w1"]!.notAfter - first["w1"]!.notBefore) s")

        // Wait until every node holds a newer certificate and every first one has expired.
        let renewed = await cluster.waitFor("every node renewed and every first certificate expired", within: .seconds(150)) {
            let now = Int64(Date().timeIntervalSince1970)
            guard now > lastExpiry + 2 else { return false }
            return renewedPaths.allSatisfy { name, path in (Self.certificate(at: path)?.serial ?? 0) > first[name]!.serial }
        }
        try #require(renewed != nil, "\(renewedPaths.mapValues { Self.certificate(at: $0)?.serial ?? 0 })\n\(cluster.logs())")
        for (name, path) in renewedPaths {
            let certificate = try #require(Self.certificate(at: path))
            #expect(certificate.notAfter > Int64(Date().timeIntervalSince1970), "\(name)'s stored certificate has expired")
            print("CertificateRenewalEndToEndTests: \(name) serial \(first[name]!.serial) → \(certificate.serial)")
        }

        // The worker is still ready and takes new work.
        #expect(await cluster.nodeStatus("w1", from: 0) == "ready", "\(cluster.logs())")
        let jobFile = cluster.root + "/after-renewal.hcl"
        try Self.job.write(toFile: jobFile, atomically: true, encoding: .utf8)
        let submitted = try DevAgentProcess.roost(["job", "run", "-detach", jobFile], address: cluster.machines[0].address, token: cluster.bootstrapToken())
        #expect(submitted.status == 0, "\(submitted.output)\(submitted.errors)")
        let running = await cluster.waitFor("the new job running on w1", within: .seconds(60)) {
            (await cluster.allocations(of: "after-renewal", from: 0) ?? []).contains { $0.client == "running" }
        }
        #expect(running != nil, "\(cluster.logs())")

        // m2, restarted after its join certificate expired, rejoins Raft with its renewed one.
        cluster.kill9(1)
        try cluster.startAgent(1, ["agent", "-server"])
        let caughtUp = await cluster.waitFor("the restarted m2 serving the new job", within: .seconds(60)) {
            await cluster.json("/v1/job/after-renewal", from: 1) != nil
        }
        #expect(caughtUp != nil, "\(cluster.logs())")
        #expect(!cluster.log(of: 1).contains("certificate expired"), "\(cluster.log(of: 1))")
    }
}
