import Foundation
import Platform
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `FileIO.makeDirectories`, which makes allocation directories and task cgroups.
@Suite struct MakeDirectoriesTests {
    @Test("missing parents are made with the directory, and making an existing one again succeeds")
    func makesParentsAndIsIdempotent() throws {
        let scratch = ScratchDirectory()
        let deep = scratch.path + "/a/b/c/"
        try FileIO.makeDirectories(deep, mode: 0o700)
        #expect(FileIO.isDirectory(scratch.path + "/a/b/c"))
        var info = stat()
        #expect(stat(scratch.path + "/a/b", &info) == 0 && info.st_mode & 0o777 == 0o700, "parents get the mode too")
        try FileIO.makeDirectories(deep)
        try FileIO.makeDirectories(scratch.path + "/a/b/d")
        #expect(FileIO.isDirectory(scratch.path + "/a/b/d"))
    }

    @Test("a file where a directory (or one of its parents) should be is refused with the path that is in the way")
    func refusesAFileInTheWay() {
        let scratch = ScratchDirectory()
        scratch.write("not a directory", to: "file")
        for path in [scratch.path + "/file", scratch.path + "/file/child"] {
            #expect(throws: FileIOError.self) { try FileIO.makeDirectories(path) }
        }
        do {
            try FileIO.makeDirectories(scratch.path + "/file")
        } catch {
            #expect(error.errno == ENOTDIR && error.path == scratch.path + "/file")
        }
    }
}
