import Foundation
import Glibc
import RegistryTestSupport
import Testing

/// A worker agent running a container from a registry it reaches over plain http (named with
/// `-insecure-registry`), killed with SIGKILL and started again: the container keeps running
/// while no agent watches it, the new agent takes it over (same allocation, same container,
/// nothing replaced), and stopping the job afterwards leaves no container and no cgroup.
@Suite(.serialized)
struct ContainerWorkerEndToEndTests {
    static let runtime = ["/usr/bin/crun", "/usr/bin/runc"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var canRun: Bool {
        DevAgentProcess.isRoot && runtime != nil && TestRegistry.isAvailable && FileManager.default.isExecutableFile(atPath: "/bin/busybox")
    }

    static func job(image: String) -> String {
        """
        job "ctr" {
          group "g" {
            task "web" {
              driver = "oci"
              config {
                image   = "\(image)"
                command = "/bin/sh"
                args    = ["-c", "echo container up; exec sleep 600"]
              }
              kill_timeout = "2s"
              resources {
                cpu    = 50
                memory = 64
              }
            }
          }
        }
        """
    }

    /// Container records the worker keeps in its bundles (`roost-container.json`).
    static func records(under directory: String) -> [[String: Any]] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [[String: Any]] = []
        for case let path as String in enumerator where path.hasSuffix("/roost-container.json") {
            if let data = FileManager.default.contents(atPath: directory + "/" + path),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                found.append(object)
            }
        }
        return found
    }

    static func runtimeLists(_ containerID: String) -> Bool {
        guard let runtime else { return false }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: runtime)
        child.arguments = ["list", "-q"]
        let pipe = Pipe()
        child.standardOutput = pipe
        child.standardError = FileHandle.nullDevice
        guard (try? child.run()) != nil else { return false }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        return text.split(separator: "\n").contains { $0 == containerID }
    }

    static func waitUntil(_ what: String, within limit: Duration = .seconds(90), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting for: \(what)")
        throw DevAgentProcess.AgentFailure(message: what)
    }

    @Test(.timeLimit(.minutes(5)))
    func aContainerOutlivesItsWorkerAgentAndTheRestartedAgentTakesItOver() async throws {
        guard Self.canRun else {
            print("ContainerWorkerEndToEndTests skipped: needs root, crun or runc, busybox-static, docker-registry and skopeo")
            return
        }
        let cluster = try ManagerClusterProcess(size: 1)
        let scratch = cluster.root + "/scratch"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let registry = try TestRegistry(scratch: scratch)
        let cgroupParent = "roost-e2e-ctr-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        let workerDirectory = cluster.root + "/w1"
        var worker: Process?
        defer {
            if let worker, worker.isRunning { kill(worker.processIdentifier, SIGKILL); worker.waitUntilExit() }
            // Whatever a failed run left: monitors by their recorded pid, containers, cgroups.
            for record in Self.records(under: workerDirectory) {
                if let monitor = record["monitorPID"] as? Int32, monitor > 0 { kill(monitor, SIGKILL) }
                if let id = record["containerID"] as? String, let runtime = Self.runtime {
                    let child = Process()
                    child.executableURL = URL(fileURLWithPath: runtime)
                    child.arguments = ["delete", "--force", id]
                    child.standardOutput = FileHandle.nullDevice
                    child.standardError = FileHandle.nullDevice
                    if (try? child.run()) != nil { child.waitUntilExit() }
                }
            }
            MachineCluster.endTasks(inCgroupsUnder: cgroupParent)
            registry.stop()
            cluster.stop()
        }
        _ = try await cluster.waitForLeader()

        // The image: busybox-static as an OCI layout, pushed to the registry on 127.0.0.1.
        let layout = scratch + "/busybox"
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/bin/bash")
        build.arguments = [URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../contrib/oci/build-busybox-image.sh").path, layout]
        build.standardOutput = FileHandle.nullDevice
        try build.run()
        build.waitUntilExit()
        try #require(build.terminationStatus == 0, "contrib/oci/build-busybox-image.sh failed")
        try registry.push(layout: layout, tag: "latest", repository: "roost/busybox")

        // A worker joined with a token, told that the registry speaks plain http.
        let token = try await JoinEndToEndTests.printedToken(JoinEndToEndTests.workerLine, in: cluster)
        let joined = try JoinEndToEndTests.join(token, cluster, directory: workerDirectory, extra: ["-node", "w1"])
        try #require(joined.status == 0, "\(joined.errors)")
        let ports = try ManagerClusterProcess.freePorts(2)
        let logPath = cluster.root + "/w1.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        func startWorker() throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(DevAgentProcess.executable))
            process.arguments = [
                "agent", "-worker", "-data-dir", workerDirectory, "-http-port", String(ports[0]), "-serf-port", String(ports[1]),
                "-cgroup-parent", cgroupParent, "-insecure-registry", registry.host,
            ]
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            log.seekToEndOfFile()
            process.standardOutput = log
            process.standardError = log
            process.standardInput = FileHandle.nullDevice
            try process.run()
            return process
        }
        func workerLog() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        worker = try startWorker()
        try await Self.waitUntil("w1 ready") {
            try cluster.roost(["node", "status"], on: 0).output.split(separator: "\n").contains { $0.contains("w1") && $0.contains("ready") }
        }

        let jobFile = cluster.root + "/ctr.hcl"
        try Self.job(image: "\(registry.host)/roost/busybox:latest").write(toFile: jobFile, atomically: true, encoding: .utf8)
        let run = try cluster.roost(["job", "run", jobFile], on: 0)
        try #require(run.status == 0, "job run: \(run.output)\(run.errors)\n\(workerLog())")
        let record = try #require(Self.records(under: workerDirectory).first, "no container record under the worker's data directory")
        let containerID = try #require(record["containerID"] as? String)
        let initPID = try #require(record["initPID"] as? Int32)
        let allocationsBefore = try cluster.roost(["job", "status", "ctr"], on: 0).output

        // SIGKILL the agent: the container keeps running without it.
        let killed = try #require(worker)
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        try await Task.sleep(for: .seconds(1))
        #expect(kill(initPID, 0) == 0, "the container's init died with the agent")
        #expect(Self.runtimeLists(containerID), "the runtime no longer lists the container")

        // The restarted agent takes it over: same container, same allocation, nothing replaced.
        worker = try startWorker()
        try await Self.waitUntil("the restarted worker reattached its container") { workerLog().contains("Reattached: 1 allocation") }
        try await Task.sleep(for: .seconds(2))
        let status = try cluster.roost(["job", "status", "ctr"], on: 0).output
        let running = status.split(separator: "\n").filter { $0.contains("running") && $0.contains(" g ") }
        #expect(running.count == 1, "\(status)")
        #expect(status.split(separator: "\n").filter { $0.contains(" g ") }.count == allocationsBefore.split(separator: "\n").filter { $0.contains(" g ") }.count,
                "an allocation was added or replaced:\nbefore\n\(allocationsBefore)\nafter\n\(status)")
        #expect(kill(initPID, 0) == 0 && Self.runtimeLists(containerID), "the reattached container is not the same one")

        // Stopping the job leaves no container and no cgroup.
        let stopped = try cluster.roost(["job", "stop", "ctr"], on: 0)
        #expect(stopped.status == 0, "\(stopped.errors)")
        try await Self.waitUntil("the container gone after job stop") { !Self.runtimeLists(containerID) && kill(initPID, 0) != 0 }
        let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []).flatMap { hierarchy -> [String] in
            let top = "/sys/fs/cgroup/\(hierarchy)/\(cgroupParent)"
            let children = (try? FileManager.default.contentsOfDirectory(atPath: top)) ?? []
            return children.map { top + "/" + $0 }.filter { path in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            }
        }
        #expect(leftovers.isEmpty, "cgroups left: \(leftovers)")
    }
}
