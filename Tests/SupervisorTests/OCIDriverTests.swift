import ClusterModel
import Foundation
import Images
import Platform
import Supervision
import Testing

@testable import Supervisor

/// Real containers with the node's crun (or runc) from a busybox image built in the test.
/// Skipped, with the reason, when not root or when crun/runc or busybox-static are missing.
@Suite("The oci task driver", .serialized, .enabled(if: OCITestImage.isAvailable, "\(OCITestImage.unavailableReason ?? "")"))
struct OCIDriverTests {
    static func task(
        _ name: String, image: String, command: String? = nil, args: [String]? = nil, driver: String = "oci", memoryMiB: Int = 64,
        killTimeout: Duration = .seconds(2), env: [String: String] = [:]
    ) -> TaskSpec {
        var config: [String: DynamicValue] = ["image": .string(image)]
        if let command { config["command"] = .string(command) }
        if let args { config["args"] = .list(args.map { .string($0) }) }
        return TaskSpec(
            name: name, driver: driver, config: config, env: env, resources: Resources(cpuMHz: 100, memoryMiB: memoryMiB),
            killTimeout: killTimeout
        )
    }

    private func containerList(_ runtime: OCIRuntime) -> String { runtime.run(["list", "-q"]).output }

    @Test("a batch container's exit code, stdout and environment are the task's")
    func batchExitCode() async throws {
        try await SupervisorHarness.run { harness in
            let layout = try OCITestImage.layout(in: harness.dataDirectory)
            let spec = Self.task(
                "batch", image: "oci-layout:\(layout):latest", command: "/bin/sh",
                args: ["-c", "echo out:$FROM_IMAGE:$GREETING:$NOMAD_TASK_DIR; ls -d /local /alloc /secrets; exit 7"],
                env: ["GREETING": "hi"]
            )
            let allocation = SupervisorHarness.allocation(tasks: [spec])
            await harness.supervisor.run(allocation)
            let final = await harness.waitFor(allocation.id, "the container task finishes") { $0.isFinished }
            #expect(final?.clientStatus == .failed)
            let events = final?.taskStates["batch"]?.events.map(\.message) ?? []
            #expect(events.contains { $0.contains("exit code 7") || $0.contains("Exit Code: 7") }, "events: \(events)")
            let output = await harness.logText(allocation.id, task: "batch")
            #expect(output.contains("out:yes:hi:/local"))
            #expect(output.contains("/local") && output.contains("/alloc") && output.contains("/secrets"))
        }
    }

    @Test("with runc chosen (the fallback runtime), a container runs from runc's sealed copy with the task's exit code and output, and leaves no container")
    func runcFromItsSealedCopy() async throws {
        guard let runc = OCIRuntime.detect(preferred: "runc") else {
            print("skipped: runc is not installed (contrib/install-deps.sh installs it)")
            return
        }
        try await SupervisorHarness.run(configure: { $0.ociRuntime = "runc" }) { harness in
            let driver = try #require(harness.supervisor.ociDriver)
            #expect(driver.runtime.kind == .runc)
            #expect(driver.runtime.launchPath.hasPrefix("/proc/"), "runc runs from its sealed copy")
            let layout = try OCITestImage.layout(in: harness.dataDirectory)
            let spec = Self.task("runc", image: "oci-layout:\(layout)", command: "/bin/sh", args: ["-c", "echo under runc; exit 5"])
            let allocation = SupervisorHarness.allocation(tasks: [spec])
            await harness.supervisor.run(allocation)
            let final = await harness.waitFor(allocation.id, "the runc container finishes") { $0.isFinished }
            let events = final?.taskStates["runc"]?.events.map(\.message) ?? []
            #expect(events.contains { $0.contains("Exit Code: 5") }, "events: \(events)")
            #expect(await harness.logText(allocation.id, task: "runc").contains("under runc"))
            #expect(!containerList(runc).contains(OCIDriver.containerID(allocation: allocation.id, task: "runc")))
        }
    }

    @Test("a container starts under the monitor kept waiting ahead of it, and the waiting monitor ends when the agent shuts down")
    func standbyMonitor() async throws {
        try await SupervisorHarness.run { harness in
            let layout = try OCITestImage.layout(in: harness.dataDirectory)
            let driver = try #require(harness.supervisor.ociDriver)
            let first = SupervisorHarness.allocation(tasks: [Self.task("first", image: "oci-layout:\(layout)", command: "/bin/true")])
            await harness.supervisor.run(first)
            #expect(await harness.waitFor(first.id, "the first container finishes") { $0.isFinished }?.clientStatus == .complete)
            let standby = try #require(await Self.waitForStandby(driver, other: nil), "a monitor waits for the next container")
            #expect(ProcessSignals.isAlive(standby))

            let second = SupervisorHarness.allocation(tasks: [Self.task("second", image: "oci-layout:\(layout)", command: "/bin/echo", args: ["second ran"])])
            await harness.supervisor.run(second)
            #expect(await harness.waitFor(second.id, "the second container finishes") { $0.isFinished }?.clientStatus == .complete)
            #expect(await harness.logText(second.id, task: "second").contains("second ran"), "the standby passes the container's output on")
            // The waiting monitor ran the second container and ended with it; another one waits.
            let next = try #require(await Self.waitForStandby(driver, other: standby), "a new monitor waits after the standby was used")
            #expect(!ProcessSignals.isAlive(standby))

            await harness.supervisor.shutdown()
            let deadline = ContinuousClock.now + .seconds(10)
            while ProcessSignals.isAlive(next) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(!ProcessSignals.isAlive(next), "the unused monitor ends with the agent")
        }
    }

    /// The pid of the driver's waiting monitor once there is one other than `other` (10 s at most).
    static func waitForStandby(_ driver: OCIDriver, other: Int32?) async -> Int32? {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let pid = driver.standby.withLock({ $0.monitor?.pid }), pid != other { return pid }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    @Test("the image's own command runs when the task gives none, and \"docker\" is an alias")
    func imageDefaultsAndDockerAlias() async throws {
        try await SupervisorHarness.run { harness in
            let layout = try OCITestImage.layout(in: harness.dataDirectory)
            let allocation = SupervisorHarness.allocation(tasks: [Self.task("default", image: "oci-layout:\(layout)", driver: "docker")])
            await harness.supervisor.run(allocation)
            let final = await harness.waitFor(allocation.id, "the container task finishes") { $0.isFinished }
            #expect(final?.clientStatus == .complete)
            #expect(await harness.logText(allocation.id, task: "default").contains("image default"))
        }
    }

    @Test("stopping a service container escalates to SIGKILL and leaves no container, bundle or cgroup")
    func stopLeavesNothing() async throws {
        let runtime = try #require(OCIRuntimeProbe.runtime)
        try await SupervisorHarness.run { harness in
            let layout = try OCITestImage.layout(in: harness.dataDirectory)
            // PID 1 of a pid namespace ignores SIGTERM it has no handler for: the kill timeout must act.
            let spec = Self.task("svc", image: "oci-layout:\(layout)", command: "/bin/sh", args: ["-c", "echo up; while true; do sleep 1; done"], killTimeout: .milliseconds(500))
            let allocation = SupervisorHarness.allocation(type: .service, tasks: [spec])
            await harness.supervisor.run(allocation)
            await harness.waitFor(allocation.id, "the service container runs") { $0.clientStatus == .running }
            let deadline = Date().addingTimeInterval(60)
            var output = ""
            while Date() < deadline, !output.contains("up") {
                output = await harness.logText(allocation.id, task: "svc")
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(output.contains("up"), "the container's first line reaches the task log")
            let id = OCIDriver.containerID(allocation: allocation.id, task: "svc")
            #expect(containerList(runtime).contains(id))
            #expect(harness.cgroup(allocation.id, task: "svc") != nil)
            await harness.supervisor.stop(allocation.id)
            let final = await harness.waitFor(allocation.id, "the stopped container finishes") { $0.isFinished }
            #expect(final?.clientStatus == .complete)
            #expect(!containerList(runtime).contains(id))
            #expect(harness.cgroup(allocation.id, task: "svc") == nil)
            #expect(!FileManager.default.fileExists(atPath: harness.dataDirectory + "/oci/bundles/" + id))
        }
    }

    @Test("a container over its memory limit is reported as OOM killed")
    func outOfMemory() async throws {
        try await SupervisorHarness.run { harness in
            let layout = try OCITestImage.layout(in: harness.dataDirectory)
            let spec = Self.task("hog", image: "oci-layout:\(layout)", command: "/bin/dd", args: ["if=/dev/zero", "of=/dev/null", "bs=200M", "count=1"], memoryMiB: 32)
            let allocation = SupervisorHarness.allocation(tasks: [spec])
            await harness.supervisor.run(allocation)
            let final = await harness.waitFor(allocation.id, "the memory hog is killed") { $0.isFinished }
            #expect(final?.clientStatus == .failed)
            let events = final?.taskStates["hog"]?.events.map(\.message) ?? []
            #expect(events.contains { $0.contains("OOM Killed") }, "events: \(events)")
        }
    }

    @Test("a missing image fails the allocation with \"manifest unknown\" instead of hanging")
    func missingImage() async throws {
        try await SupervisorHarness.run { harness in
            let layout = try OCITestImage.layout(in: harness.dataDirectory)
            let allocation = SupervisorHarness.allocation(tasks: [Self.task("ghost", image: "oci-layout:\(layout):no-such-tag")])
            await harness.supervisor.run(allocation)
            let final = await harness.waitFor(allocation.id, seconds: 30, "the allocation fails") { $0.isFinished }
            #expect(final?.clientStatus == .failed)
            let events = final?.taskStates["ghost"]?.events.map(\.message) ?? []
            #expect(events.contains { $0.contains("manifest unknown") }, "events: \(events)")
        }
    }

    @Test("the node offers the oci and docker drivers with the runtime's name")
    func fingerprint() throws {
        let runtime = try #require(OCIRuntimeProbe.runtime)
        let node = NodeFingerprinter.node(id: NodeID(uuid: "00000000-0000-4000-8000-000000000009"), fingerprint: Fingerprint.probe(), ociRuntime: runtime)
        #expect(node.attributes["driver.oci"] == "1")
        #expect(node.attributes["driver.oci.runtime"] == runtime.kind.rawValue)
        #expect(node.drivers["docker"]?.healthy == true)
    }
}

@Suite("The oci driver's image cache", .serialized, .enabled(if: OCITestImage.isAvailable, "\(OCITestImage.unavailableReason ?? "")"))
struct OCIImageCacheTests {
    @Test("over its size limit the cache drops images no container uses and keeps those in use")
    func garbageCollection() async throws {
        try await SupervisorHarness.run(configure: { $0.imageCacheLimitMiB = 0; $0.imageCacheGraceSeconds = 0 }) { harness in
            let driver = try #require(harness.supervisor.ociDriver)
            let usedLayout = try OCITestImage.layout(in: harness.dataDirectory + "/used")
            let idleLayout = try OCITestImage.layout(in: harness.dataDirectory + "/idle", tag: "idle", marker: "idle")
            let idle = try await driver.images.pull("oci-layout:\(idleLayout):idle")
            _ = try await driver.unpacked.rootfs(for: idle)
            let spec = OCIDriverTests.task("svc", image: "oci-layout:\(usedLayout)", command: "/bin/sleep", args: ["600"], killTimeout: .milliseconds(300))
            let allocation = SupervisorHarness.allocation(type: .service, tasks: [spec])
            await harness.supervisor.run(allocation)
            await harness.waitFor(allocation.id, "the container runs") { $0.clientStatus == .running }
            let used = try await driver.images.pull("oci-layout:\(usedLayout)")
            let report = await driver.collectGarbage()
            #expect(report.bytesAfter < report.bytesBefore)
            #expect(!driver.images.blobs.contains(idle.manifestDigest))
            #expect(!FileManager.default.fileExists(atPath: driver.unpacked.directory + "/" + idle.manifestDigest.hex))
            #expect(used.layers.allSatisfy { driver.images.blobs.contains($0.descriptor.digest) })
            #expect(FileManager.default.fileExists(atPath: driver.unpacked.directory + "/" + used.manifestDigest.hex))
            await harness.supervisor.stop(allocation.id)
            await harness.waitFor(allocation.id, "the container stops") { $0.isFinished }
            await driver.collectGarbage()
            #expect(!driver.images.blobs.contains(used.manifestDigest))
        }
    }

    @Test("a bundle and runtime state left by a crashed agent are removed when the driver starts")
    func leftoversRemoved() async throws {
        let runtime = try #require(OCIRuntimeProbe.runtime)
        let data = FileManager.default.temporaryDirectory.path + "/roost-oci-crash-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let bundle = data + "/oci/bundles/roost-crashed.task"
        try FileManager.default.createDirectory(atPath: bundle + "/rootfs", withIntermediateDirectories: true)
        let node = NodeFingerprinter.node(id: NodeID(uuid: "00000000-0000-4000-8000-000000000001"), fingerprint: Fingerprint.probe(), ociRuntime: runtime)
        _ = try OCIDriver(settings: SupervisorSettings(dataDirectory: data, node: node, cgroupParent: "roost-test-crash"))
        #expect(!FileManager.default.fileExists(atPath: bundle))
    }
}
