import Foundation
import Testing

@testable import Images

/// Images saved with `docker save` (`docker-archive:`): read by tag, every layer checked
/// against the config's diff_ids, unpacked like any other image; a tampered layer and an
/// unknown tag are refused with their reason.
@Suite("docker save archives", .enabled(if: ExternalCommand.find(["tar"]) != nil, "needs the tar command"))
struct DockerArchiveTests {
    let scratch = ScratchDirectory("docker-archive")

    /// A legacy `docker save` archive with one image, two uncompressed layers.
    func archive(tags: [String], tamper: Bool = false) throws -> String {
        let root = scratch.path + "/save-" + UUID().uuidString.prefix(6)
        try FileManager.default.createDirectory(atPath: root + "/aaa", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/bbb", withIntermediateDirectories: true)
        var bottom = TarBuilder()
        bottom.directory("etc/")
        bottom.file("etc/motd", "from the bottom layer\n")
        let bottomID = try bottom.write(to: root + "/aaa/layer.tar")
        var top = TarBuilder()
        top.file("etc/release", "saved by docker\n")
        let topID = try top.write(to: root + "/bbb/layer.tar")
        let config = """
            {"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["/bin/sh"]},\
            "rootfs":{"type":"layers","diff_ids":["\(bottomID)","\(topID)"]}}
            """
        let configDigest = Digest(hashing: Array(config.utf8))
        try Data(config.utf8).write(to: URL(fileURLWithPath: root + "/\(configDigest.hex).json"))
        let tagList = tags.map { "\"\($0)\"" }.joined(separator: ",")
        let manifest = #"[{"Config":"\#(configDigest.hex).json","RepoTags":[\#(tagList)],"Layers":["aaa/layer.tar","bbb/layer.tar"]}]"#
        try Data(manifest.utf8).write(to: URL(fileURLWithPath: root + "/manifest.json"))
        if tamper {
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: root + "/bbb/layer.tar")))
            bytes[600] ^= 1
            try Data(bytes).write(to: URL(fileURLWithPath: root + "/bbb/layer.tar"))
        }
        let tar = try #require(ExternalCommand.find(["tar"]))
        let path = root + ".tar"
        _ = try ExternalCommand.run(tar, ["-C", root, "-cf", path, "."])
        return path
    }

    @Test("an image from docker save is read by tag, its layers checked and unpacked")
    func readByTag() async throws {
        let path = try archive(tags: ["team/app:1.4"])
        let store = try ImageStore(directory: scratch.path + "/cache")
        let image = try await store.pull("docker-archive:\(path):1.4")
        #expect(image.layers.count == 2)
        #expect(image.configuration.config?.Cmd == ["/bin/sh"])
        let rootfs = scratch.path + "/rootfs"
        try FileManager.default.createDirectory(atPath: rootfs, withIntermediateDirectories: true)
        for layer in image.layers { try LayerUnpacker.unpack(layer: layer.path, diffID: layer.diffID, into: rootfs) }
        #expect(try String(contentsOfFile: rootfs + "/etc/motd", encoding: .utf8) == "from the bottom layer\n")
        #expect(try String(contentsOfFile: rootfs + "/etc/release", encoding: .utf8) == "saved by docker\n")
        // Without a tag, the archive's only image.
        let again = try await store.pull("docker-archive:\(path)")
        #expect(again.manifestDigest == image.manifestDigest)
    }

    @Test("a tampered layer and an unknown tag are refused with their reason")
    func refusals() async throws {
        let store = try ImageStore(directory: scratch.path + "/cache")
        let tampered = try archive(tags: ["app:latest"], tamper: true)
        let mismatch = await #expect(throws: ImageError.self) { try await store.pull("docker-archive:\(tampered)") }
        #expect(mismatch?.code == .digestMismatch)
        let good = try archive(tags: ["app:latest"])
        let unknown = await #expect(throws: ImageError.self) { try await store.pull("docker-archive:\(good):2.0") }
        #expect(unknown?.code == .manifestUnknown)
        #expect(unknown?.message.contains("has no image tagged \"2.0\" (it has app:latest)") == true, "\(unknown?.message ?? "")")
        let notAnArchive = scratch.path + "/plain.tar"
        var empty = TarBuilder()
        empty.file("hello.txt", "hi\n")
        try empty.write(to: notAnArchive)
        let missing = await #expect(throws: ImageError.self) { try await store.pull("docker-archive:\(notAnArchive)") }
        #expect(missing?.message.contains("is not a docker save archive") == true, "\(missing?.message ?? "")")
    }
}
