import Foundation
@testable import RoostCLI
import Testing

@Suite struct LocalFileTests {
    @Test func replacingContentsKeepsPermissionsAndLeavesNoTemporaryFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("web.hcl", "old\n", permissions: 0o640)
        try LocalFile.replaceContents(ofFile: file, with: Array("new contents\n".utf8))
        #expect(try directory.contents(of: file) == "new contents\n")
        #expect(try directory.permissions(of: file) == 0o640)
        #expect(try directory.entries() == ["web.hcl"])
    }

    @Test func replacingContentsWritesThroughASymbolicLink() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let target = try directory.file("target.hcl", "old\n")
        let link = directory.path + "/link.hcl"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        try LocalFile.replaceContents(ofFile: link, with: Array("new\n".utf8))
        #expect(try directory.contents(of: target) == "new\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
    }

    @Test func replacingAMissingFileFailsWithoutCreatingIt() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let error = #expect(throws: FileError.self) {
            try LocalFile.replaceContents(ofFile: directory.path + "/gone.hcl", with: [1])
        }
        #expect(error?.message.hasSuffix("No such file or directory") == true)
        #expect(try directory.entries().isEmpty)
    }

    @Test func readingAMissingFileSaysSoInTheSystemsWords() async {
        let error = #expect(throws: FileError.self) { try LocalFile.contents(ofFile: "/nonexistent/web.hcl", limit: 100) }
        #expect(error?.message == "cannot read \"/nonexistent/web.hcl\": No such file or directory")
    }

    @Test func readingADirectoryIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let error = #expect(throws: FileError.self) { try LocalFile.contents(ofFile: directory.path, limit: 100) }
        #expect(error?.message == "cannot read \"\(directory.path)\": it is a directory")
    }

    @Test func readingAFileOverTheLimitIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("big.hcl", String(repeating: "x", count: 11))
        let error = #expect(throws: FileError.self) { try LocalFile.contents(ofFile: file, limit: 10) }
        #expect(error?.message == "cannot read \"\(file)\": it is larger than the 10-byte limit for job files")
        #expect(try LocalFile.contents(ofFile: file, limit: 11).count == 11)
    }
}
