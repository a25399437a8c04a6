import RegistryTestSupport
import Foundation
import Testing
@testable import Images

/// Against a real registry (Debian's docker-registry) on 127.0.0.1, fed by skopeo. Skipped,
/// saying so, where docker-registry, skopeo or busybox-static are not installed
/// (`contrib/install-deps.sh` installs them).
@Suite("Pulling from a registry", .serialized, .enabled(if: TestRegistry.isAvailable && TestImages.canBuildBusybox, "needs docker-registry, skopeo and busybox-static (contrib/install-deps.sh)"))
struct RegistryPullTests {
    let scratch = ScratchDirectory("registry")

    private func setUp(tag: String = "1.0", repository: String = "roost/busybox") throws -> (TestRegistry, Digest, ImageStore) {
        let registry = try TestRegistry(scratch: scratch.path)
        let layout = scratch.path + "/layout"
        let digest = try TestImages.busyboxLayout(at: layout, tag: tag, scratch: scratch.path)
        try registry.push(layout: layout, tag: tag, repository: repository)
        let store = try ImageStore(
            directory: scratch.path + "/cache", settings: RegistrySettings(insecureRegistries: [registry.host], requestTimeoutSeconds: 10)
        )
        return (registry, digest, store)
    }

    @Test("an image is pulled by tag and by digest, verified, and unpacks into a runnable tree")
    func pullByTagAndDigest() async throws {
        let (registry, digest, store) = try setUp()
        defer { registry.stop() }
        let byTag = try await store.pull("\(registry.host)/roost/busybox:1.0")
        #expect(byTag.manifestDigest == digest)
        #expect(byTag.configuration.config?.Env?.contains("FROM_IMAGE=yes") == true)
        let byDigest = try await store.pull("\(registry.host)/roost/busybox@\(digest)")
        #expect(byDigest.layers == byTag.layers)
        let rootfs = scratch.path + "/rootfs"
        try LayerUnpacker.unpack(byTag.layers, into: rootfs)
        #expect(FileManager.default.isExecutableFile(atPath: rootfs + "/bin/busybox"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: rootfs + "/bin/sh") == "busybox")
    }

    @Test("a missing tag fails at once with \"manifest unknown\"")
    func missingManifest() async throws {
        let (registry, _, store) = try setUp()
        defer { registry.stop() }
        let started = Date()
        let error = await #expect(throws: ImageError.self) { try await store.pull("\(registry.host)/roost/busybox:no-such-tag") }
        #expect(error?.code == .manifestUnknown)
        #expect(error?.message.contains("manifest unknown") == true)
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test("a corrupted blob in the registry is caught as a digest mismatch and never enters the cache")
    func corruptedBlob() async throws {
        let (registry, _, store) = try setUp()
        defer { registry.stop() }
        let client = RegistryClient(host: registry.host, settings: RegistrySettings(insecureRegistries: [registry.host]))
        let manifest = try await client.manifest(repository: "roost/busybox", reference: "1.0")
        let parsed = try JSONDecoder().decode(ImageManifest.self, from: Data(manifest.bytes))
        let layer = try #require(parsed.layers.first)
        let file = registry.blobFile(layer.digest)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[bytes.count / 2] ^= 0xff
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let error = await #expect(throws: ImageError.self) { try await store.pull("\(registry.host)/roost/busybox:1.0") }
        #expect(error?.code == .digestMismatch)
        #expect(error?.message.contains("digest mismatch") == true)
        #expect(!store.blobs.contains(layer.digest))
    }

    @Test("concurrent pulls of one image share one download")
    func concurrentPullsShare() async throws {
        let (registry, digest, store) = try setUp()
        defer { registry.stop() }
        let reference = "\(registry.host)/roost/busybox:1.0"
        let results = try await withThrowingTaskGroup(of: Digest.self) { group in
            for _ in 0..<5 { group.addTask { try await store.pull(reference).manifestDigest } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == Array(repeating: digest, count: 5))
        let cached = try FileManager.default.contentsOfDirectory(atPath: store.blobs.directory + "/blobs/sha256")
        #expect(cached.count == 3)
    }

    @Test("an https-only registry is not spoken to over plain http")
    func httpOnlyWhenInsecure() async throws {
        let (registry, _, _) = try setUp()
        defer { registry.stop() }
        let strict = try ImageStore(directory: scratch.path + "/strict", settings: RegistrySettings(requestTimeoutSeconds: 5))
        let error = await #expect(throws: ImageError.self) { try await strict.pull("\(registry.host)/roost/busybox:1.0") }
        #expect(error?.code == .transport)
    }
}

@Suite("Local image layouts", .enabled(if: TestImages.canBuildBusybox, "needs busybox-static (contrib/install-deps.sh)"))
struct LocalLayoutTests {
    let scratch = ScratchDirectory("layout")

    @Test("an OCI layout directory and the same layout as a tar are read by tag")
    func layoutAndArchive() async throws {
        let layout = scratch.path + "/layout"
        let digest = try TestImages.busyboxLayout(at: layout, tag: "v1", scratch: scratch.path)
        let store = try ImageStore(directory: scratch.path + "/cache")
        let fromDirectory = try await store.pull("oci-layout:\(layout):v1")
        #expect(fromDirectory.manifestDigest == digest)
        let tar = try #require(ExternalCommand.find(["tar"]))
        _ = try ExternalCommand.run(tar, ["-C", layout, "-cf", scratch.path + "/image.tar", "."])
        let other = try ImageStore(directory: scratch.path + "/cache2")
        let fromArchive = try await other.pull("oci-archive:\(scratch.path)/image.tar:v1")
        #expect(fromArchive.manifestDigest == digest)
        let missing = await #expect(throws: ImageError.self) { try await store.pull("oci-layout:\(layout):v2") }
        #expect(missing?.code == .manifestUnknown)
    }

    @Test("a layout read again gives the same image, follows its tag to a new image, and reads blobs the cache lost")
    func layoutReadAgain() async throws {
        let layout = scratch.path + "/layout"
        let first = try TestImages.busyboxLayout(at: layout, tag: "v1", scratch: scratch.path)
        let store = try ImageStore(directory: scratch.path + "/cache")
        let pulled = try await store.pull("oci-layout:\(layout):v1")
        let again = try await store.pull("oci-layout:\(layout)/:v1")
        #expect(again.manifestDigest == first && again.layers == pulled.layers)
        #expect(again.reference.description.contains("\(layout)/"), "the image carries the reference it was asked for")
        // A blob the garbage collector removed is read from the layout again.
        let layer = try #require(pulled.layers.first)
        try FileManager.default.removeItem(atPath: store.blobs.path(of: layer.descriptor.digest))
        let refetched = try await store.pull("oci-layout:\(layout):v1")
        #expect(refetched.manifestDigest == first && store.blobs.contains(layer.descriptor.digest))
        // The tag moved to another image: that one is read.
        let second = try TestImages.busyboxLayout(at: layout, tag: "v1", scratch: scratch.path, extraFile: ("etc/motd", "new"))
        #expect(second != first)
        #expect(try await store.pull("oci-layout:\(layout):v1").manifestDigest == second)
    }

    @Test("a tampered blob in a layout is refused as a digest mismatch")
    func tamperedLayout() async throws {
        let layout = scratch.path + "/layout"
        try TestImages.busyboxLayout(at: layout, scratch: scratch.path)
        let index = try JSONDecoder().decode(ImageIndex.self, from: Data(contentsOf: URL(fileURLWithPath: layout + "/index.json")))
        let manifestDigest = try #require(index.manifests.first?.digest)
        let manifest = try JSONDecoder().decode(ImageManifest.self, from: Data(contentsOf: URL(fileURLWithPath: layout + "/blobs/sha256/" + manifestDigest.hex)))
        let layerFile = layout + "/blobs/sha256/" + (try #require(manifest.layers.first)).digest.hex
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: layerFile)))
        bytes[100] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: layerFile))
        let store = try ImageStore(directory: scratch.path + "/cache")
        let error = await #expect(throws: ImageError.self) { try await store.pull("oci-layout:\(layout)") }
        #expect(error?.code == .digestMismatch)
    }
}
