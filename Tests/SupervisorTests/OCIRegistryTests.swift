import RegistryTestSupport
import ClusterModel
import Foundation
import Images
import Testing

@testable import Supervisor

/// The oci driver against a real registry on 127.0.0.1: an image built in the test, pushed
/// with skopeo, pulled by Roost by tag and by digest. Skipped, with the reason, without root,
/// crun/runc, busybox-static, docker-registry or skopeo (contrib/install-deps.sh).
@Suite("The oci driver with a registry", .serialized, .enabled(if: OCITestImage.isAvailable && TestRegistry.isAvailable, "needs root, crun or runc, busybox-static, docker-registry and skopeo"))
struct OCIRegistryTests {
    /// A registry on 127.0.0.1 holding the test image as `roost/busybox:1.0`, and a Supervisor
    /// that may pull from it over plain HTTP. `prepare` runs before the Supervisor starts, with
    /// the scratch directory and the image's layout (to push more, or to damage a blob).
    static func withRegistry(
        prepare: (TestRegistry, _ scratch: String, _ layout: String) throws -> Void = { _, _, _ in },
        _ body: (TestRegistry, SupervisorHarness) async throws -> Void
    ) async throws {
        let scratch = FileManager.default.temporaryDirectory.path + "/roost-oci-registry-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let registry = try TestRegistry(scratch: scratch)
        defer { registry.stop() }
        let layout = try OCITestImage.layout(in: scratch, tag: "1.0")
        try registry.push(layout: layout, tag: "1.0", repository: "roost/busybox")
        try prepare(registry, scratch, layout)
        try await SupervisorHarness.run(configure: { $0.registry = RegistrySettings(insecureRegistries: [registry.host], requestTimeoutSeconds: 10) }) { harness in
            try await body(registry, harness)
        }
    }

    @Test("an image pushed to the registry runs by tag as a batch task and by digest as a service")
    func runByTagAndDigest() async throws {
        try await Self.withRegistry { registry, harness in
            let batch = SupervisorHarness.allocation(tasks: [
                OCIDriverTests.task("once", image: "\(registry.host)/roost/busybox:1.0", command: "/bin/echo", args: ["pulled by tag"])
            ])
            await harness.supervisor.run(batch)
            let done = await harness.waitFor(batch.id, "the batch task from the registry completes") { $0.isFinished }
            #expect(done?.clientStatus == .complete, "events: \(done?.taskStates["once"]?.events.map(\.message) ?? [])")
            #expect(await harness.logText(batch.id, task: "once").contains("pulled by tag"))

            let pulled = try await #require(harness.supervisor.ociDriver).images.pull("\(registry.host)/roost/busybox:1.0")
            let service = SupervisorHarness.allocation(type: .service, tasks: [
                OCIDriverTests.task("svc", image: "\(registry.host)/roost/busybox@\(pulled.manifestDigest)", command: "/bin/sh", args: ["-c", "echo by digest; exec sleep 600"], killTimeout: .milliseconds(500))
            ])
            await harness.supervisor.run(service)
            await harness.waitFor(service.id, "the service from the registry runs") { $0.clientStatus == .running }
            await harness.supervisor.stop(service.id)
            let stopped = await harness.waitFor(service.id, "the service stops") { $0.isFinished }
            #expect(stopped?.clientStatus == .complete)
            #expect(await harness.logText(service.id, task: "svc").contains("by digest"))
        }
    }

    @Test("with the registry down, a pinned tag pulled before starts from the node's cache, and `latest` too, with a Driver event saying so")
    func registryDownStartsFromTheCache() async throws {
        try await Self.withRegistry(prepare: { registry, scratch, _ in
            try registry.push(layout: OCITestImage.layout(in: scratch + "/latest", tag: "latest"), tag: "latest", repository: "roost/busybox")
        }) { registry, harness in
            func run(_ tag: String, _ word: String) async -> (AllocationUpdate?, AllocationID) {
                let allocation = SupervisorHarness.allocation(tasks: [
                    OCIDriverTests.task("t", image: "\(registry.host)/roost/busybox:\(tag)", command: "/bin/echo", args: [word])
                ])
                await harness.supervisor.run(allocation)
                return (await harness.waitFor(allocation.id, "the task from \(tag) finishes") { $0.isFinished }, allocation.id)
            }
            for tag in ["1.0", "latest"] {
                #expect(await run(tag, "pulled").0?.clientStatus == .complete, "\(tag) pulled while the registry is up")
            }
            registry.stop()
            let (pinned, pinnedID) = await run("1.0", "pinned")
            let pinnedEvents = pinned?.taskStates["t"]?.events ?? []
            #expect(pinned?.clientStatus == .complete, "events: \(pinnedEvents.map(\.message))")
            #expect(await harness.logText(pinnedID, task: "t").contains("pinned"))
            #expect(!pinnedEvents.contains { $0.kind == .driver }, "a pinned tag pulled before does not ask the registry")
            let (latest, latestID) = await run("latest", "latest")
            let latestEvents = latest?.taskStates["t"]?.events ?? []
            #expect(latest?.clientStatus == .complete, "events: \(latestEvents.map(\.message))")
            #expect(await harness.logText(latestID, task: "t").contains("latest"))
            #expect(latestEvents.contains { $0.kind == .driver && $0.message.contains("could not be reached") }, "events: \(latestEvents.map(\.message))")
        }
    }

    @Test("a corrupted layer in the registry fails the task with a digest mismatch")
    func corruptedLayer() async throws {
        try await Self.withRegistry(prepare: { registry, _, layout in
            let index = try JSONDecoder().decode(ImageIndex.self, from: Data(contentsOf: URL(fileURLWithPath: layout + "/index.json")))
            let manifestDigest = try #require(index.manifests.first?.digest)
            let manifest = try JSONDecoder().decode(ImageManifest.self, from: Data(contentsOf: URL(fileURLWithPath: layout + "/blobs/sha256/" + manifestDigest.hex)))
            let file = registry.blobFile(try #require(manifest.layers.first).digest)
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            bytes[bytes.count / 3] ^= 0x55
            try Data(bytes).write(to: URL(fileURLWithPath: file))
        }) { registry, harness in
            let allocation = SupervisorHarness.allocation(tasks: [OCIDriverTests.task("bad", image: "\(registry.host)/roost/busybox:1.0")])
            await harness.supervisor.run(allocation)
            let final = await harness.waitFor(allocation.id, "the task with a corrupt image fails") { $0.isFinished }
            #expect(final?.clientStatus == .failed)
            let events = final?.taskStates["bad"]?.events.map(\.message) ?? []
            #expect(events.contains { $0.contains("digest mismatch") }, "events: \(events)")
        }
    }
}
