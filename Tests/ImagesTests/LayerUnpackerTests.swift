import Foundation
import Testing
@testable import Images

@Suite("Layer unpacking")
struct LayerUnpackerTests {
    private func contents(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }
    private func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    @Test("files, directories and links of two layers end up in the rootfs, upper layer winning")
    func twoLayers() throws {
        let scratch = ScratchDirectory()
        var lower = TarBuilder()
        lower.directory("etc/")
        lower.file("etc/motd", "lower")
        lower.file("etc/keep", "kept")
        lower.symlink("etc/link", to: "/etc/motd")
        let lowerID = try lower.write(to: scratch.path + "/lower.tar")
        var upper = TarBuilder()
        upper.file("./etc/motd", "upper")
        upper.hardLink("etc/hard", to: "etc/keep")
        let upperID = try upper.write(to: scratch.path + "/upper.tar")
        let rootfs = scratch.path + "/rootfs"
        try LayerUnpacker.unpack(layer: scratch.path + "/lower.tar", diffID: lowerID, into: rootfs)
        try LayerUnpacker.unpack(layer: scratch.path + "/upper.tar", diffID: upperID, into: rootfs)
        #expect(contents(rootfs + "/etc/motd") == "upper")
        #expect(contents(rootfs + "/etc/hard") == "kept")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: rootfs + "/etc/link") == "/etc/motd")
    }

    @Test("a whiteout deletes a lower file and an opaque marker empties a lower directory but keeps its own files")
    func whiteouts() throws {
        let scratch = ScratchDirectory()
        var lower = TarBuilder()
        lower.file("etc/hostname", "old")
        lower.file("var/cache/a", "a")
        lower.file("var/cache/b", "b")
        try lower.write(to: scratch.path + "/lower.tar")
        var upper = TarBuilder()
        upper.file("etc/.wh.hostname", "")
        upper.file("var/cache/new", "new")
        upper.file("var/cache/.wh..wh..opq", "")
        try upper.write(to: scratch.path + "/upper.tar")
        let rootfs = scratch.path + "/rootfs"
        try LayerUnpacker.unpack(layer: scratch.path + "/lower.tar", diffID: nil, into: rootfs)
        try LayerUnpacker.unpack(layer: scratch.path + "/upper.tar", diffID: nil, into: rootfs)
        #expect(!exists(rootfs + "/etc/hostname"))
        #expect(!exists(rootfs + "/var/cache/a"))
        #expect(!exists(rootfs + "/var/cache/b"))
        #expect(contents(rootfs + "/var/cache/new") == "new")
        #expect(!exists(rootfs + "/etc/.wh.hostname"))
    }

    @Test("a gzip layer is decompressed and its diff_id checked")
    func gzipLayer() throws {
        let scratch = ScratchDirectory()
        var layer = TarBuilder()
        layer.file("hello", "world")
        let diffID = try layer.write(to: scratch.path + "/layer.tar")
        let gzip = try #require(ExternalCommand.find(["gzip"]))
        _ = try ExternalCommand.run(gzip, ["-k", scratch.path + "/layer.tar"])
        try LayerUnpacker.unpack(layer: scratch.path + "/layer.tar.gz", diffID: diffID, into: scratch.path + "/rootfs")
        #expect(contents(scratch.path + "/rootfs/hello") == "world")
    }

    @Test("a layer whose content does not match its diff_id is refused as a digest mismatch")
    func diffIDMismatch() throws {
        let scratch = ScratchDirectory()
        var layer = TarBuilder()
        layer.file("hello", "world")
        try layer.write(to: scratch.path + "/layer.tar")
        let error = #expect(throws: ImageError.self) {
            try LayerUnpacker.unpack(layer: scratch.path + "/layer.tar", diffID: Digest(hashing: [0]), into: scratch.path + "/rootfs")
        }
        #expect(error?.code == .digestMismatch)
        #expect(error?.message.contains("diff_id") == true)
    }

    @Test("an entry named with ../ is refused and writes nothing outside the rootfs")
    func dotDotEntry() throws {
        let scratch = ScratchDirectory()
        var layer = TarBuilder()
        layer.file("../escaped", "pwned")
        try layer.write(to: scratch.path + "/evil.tar")
        let rootfs = scratch.path + "/jail/rootfs"
        try FileManager.default.createDirectory(atPath: rootfs, withIntermediateDirectories: true)
        let error = #expect(throws: ImageError.self) { try LayerUnpacker.unpack(layer: scratch.path + "/evil.tar", diffID: nil, into: rootfs) }
        #expect(error?.code == .unsafeLayer)
        #expect(!exists(scratch.path + "/jail/escaped"))
    }

    @Test("writing through an absolute symlink lands inside the rootfs, not on the host path")
    func absoluteSymlinkParent() throws {
        let scratch = ScratchDirectory()
        let outside = scratch.path + "/host-etc"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        var layer = TarBuilder()
        layer.symlink("etc", to: outside)
        layer.file("etc/passwd", "root::0:0")
        try layer.write(to: scratch.path + "/evil.tar")
        let rootfs = scratch.path + "/rootfs"
        try LayerUnpacker.unpack(layer: scratch.path + "/evil.tar", diffID: nil, into: rootfs)
        #expect(!exists(outside + "/passwd"))
        #expect(contents(rootfs + outside + "/passwd") == "root::0:0")
    }

    @Test("a relative symlink climbing out with ../.. is clamped at the rootfs top")
    func climbingSymlink() throws {
        let scratch = ScratchDirectory()
        var layer = TarBuilder()
        layer.symlink("up", to: "../../../../../..")
        layer.file("up/planted", "x")
        try layer.write(to: scratch.path + "/evil.tar")
        let rootfs = scratch.path + "/a/rootfs"
        try FileManager.default.createDirectory(atPath: rootfs, withIntermediateDirectories: true)
        try LayerUnpacker.unpack(layer: scratch.path + "/evil.tar", diffID: nil, into: rootfs)
        #expect(!exists(scratch.path + "/planted"))
        #expect(!exists(scratch.path + "/a/planted"))
        #expect(contents(rootfs + "/planted") == "x")
    }

    @Test("a file entry replaces a symlink in its place instead of writing through it")
    func entryReplacesSymlink() throws {
        let scratch = ScratchDirectory()
        let victim = scratch.path + "/victim"
        try Data("safe".utf8).write(to: URL(fileURLWithPath: victim))
        var lower = TarBuilder()
        lower.symlink("target", to: victim)
        try lower.write(to: scratch.path + "/lower.tar")
        var upper = TarBuilder()
        upper.file("target", "overwritten")
        try upper.write(to: scratch.path + "/upper.tar")
        let rootfs = scratch.path + "/rootfs"
        try LayerUnpacker.unpack(layer: scratch.path + "/lower.tar", diffID: nil, into: rootfs)
        try LayerUnpacker.unpack(layer: scratch.path + "/upper.tar", diffID: nil, into: rootfs)
        #expect(contents(victim) == "safe")
        #expect(contents(rootfs + "/target") == "overwritten")
    }

    @Test("a hard link to a file outside the rootfs is refused")
    func hardLinkOutside() throws {
        let scratch = ScratchDirectory()
        var layer = TarBuilder()
        layer.hardLink("shadow", to: "../../etc/shadow")
        try layer.write(to: scratch.path + "/evil.tar")
        let error = #expect(throws: ImageError.self) {
            try LayerUnpacker.unpack(layer: scratch.path + "/evil.tar", diffID: nil, into: scratch.path + "/rootfs")
        }
        #expect(error?.code == .unsafeLayer)
        #expect(!exists(scratch.path + "/rootfs/shadow"))
    }

    @Test("a hard link through an absolute symlink resolves inside the rootfs and fails when absent there")
    func hardLinkThroughSymlink() throws {
        let scratch = ScratchDirectory()
        var layer = TarBuilder()
        layer.symlink("hostroot", to: "/")
        layer.hardLink("passwd-copy", to: "hostroot/etc/passwd")
        try layer.write(to: scratch.path + "/evil.tar")
        let error = #expect(throws: ImageError.self) {
            try LayerUnpacker.unpack(layer: scratch.path + "/evil.tar", diffID: nil, into: scratch.path + "/rootfs")
        }
        #expect(error?.code == .unsafeLayer)
    }

    @Test("a truncated layer fails instead of leaving a half file unnoticed")
    func truncated() throws {
        let scratch = ScratchDirectory()
        var layer = TarBuilder()
        layer.file("big", String(repeating: "x", count: 5000))
        let bytes = layer.bytes.prefix(1024)
        try Data(bytes).write(to: URL(fileURLWithPath: scratch.path + "/short.tar"))
        #expect(throws: ImageError.self) { try LayerUnpacker.unpack(layer: scratch.path + "/short.tar", diffID: nil, into: scratch.path + "/rootfs") }
    }
}
