import Foundation
import Testing
@testable import Images

/// What a node does with a registry tag it pulled before: start from the cache without the
/// registry (Nomad's docker driver semantics), except for `latest` and `force_pull`.
@Suite("Registry tags cached on the node", .enabled(if: TestImages.canBuildBusybox, "needs busybox-static (contrib/install-deps.sh)"))
struct ImageTagCacheTests {
    let scratch = ScratchDirectory("tagcache")

    /// A registry serving a fresh busybox layout under `tag`; returns it, the layout and the digest.
    private func registry(tag: String) throws -> (FakeRegistry, String, Digest) {
        let layout = scratch.path + "/layout"
        let digest = try TestImages.busyboxLayout(at: layout, tag: tag, scratch: scratch.path)
        return (try FakeRegistry(layout: layout, mode: .anonymous), layout, digest)
    }

    private func store(_ registry: FakeRegistry, cache: String = "cache") throws -> ImageStore {
        try ImageStore(
            directory: scratch.path + "/" + cache, settings: RegistrySettings(insecureRegistries: [registry.host], requestTimeoutSeconds: 5)
        )
    }

    /// Points `tag` of the layout at a new image (a different digest), as a re-push would.
    private func repush(_ layout: String, tag: String) throws -> Digest {
        try TestImages.busyboxLayout(at: layout, tag: tag, scratch: scratch.path, extraFile: ("etc/motd", UUID().uuidString))
    }

    @Test("a tagged image pulled once starts again with the registry down, also after an agent restart")
    func pinnedTagStartsWithoutRegistry() async throws {
        let (registry, _, digest) = try registry(tag: "1.0")
        let reference = "\(registry.host)/test/busybox:1.0"
        let node = try store(registry)
        let first = try await node.pull(reference)
        #expect(first.manifestDigest == digest)
        await registry.stop()
        // The registry is really gone: a tag never pulled fails.
        let unknown = await #expect(throws: ImageError.self) { try await node.pull("\(registry.host)/test/busybox:2.0") }
        #expect(unknown?.code == .transport)
        #expect(try await node.pull(reference).manifestDigest == digest)
        let again = try await store(registry).pull(reference)
        #expect(again.manifestDigest == digest && again.layers == first.layers && again.configuration == first.configuration)
        #expect(again.fallbackNote == nil, "a pinned tag from the cache is the normal case, not a fallback")
        let pinned = try await store(registry).pull("\(registry.host)/test/busybox@\(digest)")
        #expect(pinned.manifestDigest == digest)
    }

    /// Re-points `tag` at a one-platform image index wrapping what it named; returns the index digest.
    private func wrapInIndex(_ layout: String, tag: String) throws -> Digest {
        let url = URL(fileURLWithPath: layout + "/index.json")
        var top = try JSONDecoder().decode(ImageIndex.self, from: Data(contentsOf: url))
        var entry = try #require(top.manifests.first)
        entry.platform = .host
        entry.annotations = nil
        let bytes = try JSONEncoder().encode(ImageIndex(manifests: [entry]))
        let digest = Digest(hashing: [UInt8](bytes))
        try bytes.write(to: URL(fileURLWithPath: layout + "/blobs/sha256/" + digest.hex))
        top.manifests = [Descriptor(mediaType: MediaType.ociIndex, digest: digest, size: Int64(bytes.count), annotations: [ImageIndex.refNameAnnotation: tag])]
        try JSONEncoder().encode(top).write(to: url)
        return digest
    }

    @Test("a tag or digest naming a multi-platform index starts from the cache with the registry down")
    func indexStartsWithoutRegistry() async throws {
        let (registry, layout, manifest) = try registry(tag: "2.1")
        let index = try wrapInIndex(layout, tag: "2.1")
        let store = try store(registry)
        #expect(try await store.pull("\(registry.host)/test/busybox:2.1").manifestDigest == manifest)
        await registry.stop()
        let restarted = try self.store(registry)
        #expect(try await restarted.pull("\(registry.host)/test/busybox:2.1").manifestDigest == manifest)
        #expect(try await restarted.pull("\(registry.host)/test/busybox@\(index)").manifestDigest == manifest)
    }

    @Test("a pinned tag is not asked for again, and force_pull asks and picks up a re-pushed tag")
    func forcePullFollowsRepush() async throws {
        let (registry, layout, first) = try registry(tag: "1.0")
        let store = try store(registry)
        let reference = "\(registry.host)/test/busybox:1.0"
        #expect(try await store.pull(reference).manifestDigest == first)
        let asked = registry.manifestRequests
        #expect(asked >= 1)
        let second = try repush(layout, tag: "1.0")
        #expect(second != first)
        #expect(try await store.pull(reference).manifestDigest == first)
        #expect(registry.manifestRequests == asked, "without force_pull a cached tag is not asked for")
        #expect(try await store.pull(reference, forcePull: true).manifestDigest == second)
        #expect(registry.manifestRequests > asked)
        let afterForce = registry.manifestRequests
        #expect(try await store.pull(reference).manifestDigest == second, "the tag now names the re-pushed image")
        #expect(registry.manifestRequests == afterForce)
        await registry.stop()
    }

    @Test("latest (or no tag) is asked for on every start and follows the registry")
    func latestIsAlwaysAsked() async throws {
        let (registry, layout, first) = try registry(tag: "latest")
        let store = try store(registry)
        #expect(try await store.pull("\(registry.host)/test/busybox").manifestDigest == first)
        let asked = registry.manifestRequests
        #expect(try await store.pull("\(registry.host)/test/busybox:latest").manifestDigest == first)
        #expect(registry.manifestRequests > asked)
        let second = try repush(layout, tag: "latest")
        #expect(try await store.pull("\(registry.host)/test/busybox").manifestDigest == second)
        await registry.stop()
    }

    @Test("with the registry unreachable, latest and force_pull start the image pulled last and say so")
    func unreachableRegistryFallsBack() async throws {
        let (registry, layout, latest) = try registry(tag: "latest")
        let store = try store(registry)
        #expect(try await store.pull("\(registry.host)/test/busybox").fallbackNote == nil)
        let pinned = try repush(layout, tag: "1.0")
        #expect(try await store.pull("\(registry.host)/test/busybox:1.0", forcePull: true).manifestDigest == pinned)
        await registry.stop()
        let fallback = try await store.pull("\(registry.host)/test/busybox")
        #expect(fallback.manifestDigest == latest)
        #expect(fallback.fallbackNote?.contains("could not be reached") == true)
        #expect(fallback.fallbackNote?.contains(latest.description) == true)
        let forced = try await self.store(registry).pull("\(registry.host)/test/busybox:1.0", forcePull: true)
        #expect(forced.manifestDigest == pinned && forced.fallbackNote != nil, "the fallback works after an agent restart too")
    }

    @Test("a tag deleted from the registry fails with \"manifest unknown\" although the node has it cached")
    func deletedTagFails() async throws {
        let (registry, layout, _) = try registry(tag: "latest")
        let store = try store(registry)
        let reference = "\(registry.host)/test/busybox:latest"
        _ = try await store.pull(reference)
        try Data(#"{"schemaVersion":2,"manifests":[]}"#.utf8).write(to: URL(fileURLWithPath: layout + "/index.json"))
        let gone = await #expect(throws: ImageError.self) { try await store.pull(reference) }
        #expect(gone?.code == .manifestUnknown)
        #expect(gone?.message.contains("manifest unknown") == true)
        // The deleted tag is forgotten: with the registry down there is nothing to fall back to.
        await registry.stop()
        let down = await #expect(throws: ImageError.self) { try await store.pull(reference) }
        #expect(down?.code == .transport)
    }

    @Test("an image whose blobs were garbage-collected is pulled again instead of used from the cache")
    func collectedImageIsPulledAgain() async throws {
        let (registry, _, digest) = try registry(tag: "1.0")
        let store = try store(registry)
        let reference = "\(registry.host)/test/busybox:1.0"
        let first = try await store.pull(reference)
        let unpacked = try UnpackedImageCache(directory: scratch.path + "/cache/unpacked")
        let report = ImageGarbageCollector.collect(blobs: store.blobs, unpacked: unpacked, inUse: [], limitBytes: 0, minimumAgeSeconds: 0)
        #expect(report.removed.count >= 3)
        let asked = registry.manifestRequests
        let again = try await store.pull(reference)
        #expect(registry.manifestRequests > asked)
        #expect(again.manifestDigest == digest && again.layers.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })
        // Only one layer lost, seen by a restarted agent: pulled again too.
        let layer = try #require(first.layers.first)
        try FileManager.default.removeItem(atPath: store.blobs.path(of: layer.descriptor.digest))
        let restartedAsked = registry.manifestRequests
        let restarted = try await self.store(registry).pull(reference)
        #expect(registry.manifestRequests > restartedAsked)
        #expect(store.blobs.contains(layer.descriptor.digest) && restarted.manifestDigest == digest)
        await registry.stop()
    }
}
