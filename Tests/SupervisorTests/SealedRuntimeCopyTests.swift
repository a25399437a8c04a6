import Foundation
import Testing

@testable import Supervisor

#if canImport(Glibc)
import Glibc
#endif

/// The sealed in-memory copy of the OCI runtime that Roost runs in place of the binary on disk.
@Suite struct SealedRuntimeCopyTests {
    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/roost-sealed-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs `executable arguments` to its exit; its stdout.
    private func output(of executable: String, _ arguments: [String]) throws -> (status: Int32, text: String) {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = arguments
        let pipe = Pipe()
        child.standardOutput = pipe
        try child.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        return (child.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private func descriptor(of path: String) -> Int32? {
        path.split(separator: "/").last.flatMap { Int32($0) }
    }

    @Test("the copy holds the binary's bytes, carries the four seals the runtimes look for, refuses writes, and runs")
    func copyIsSealedAndRuns() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let binary = directory + "/echo"
        try FileManager.default.copyItem(atPath: "/bin/echo", toPath: binary)
        let copy = try #require(SealedRuntimeCopy(source: binary), "this kernel makes sealed memory files (memfd_create)")
        let path = copy.path
        #expect(path == "/proc/\(getpid())/fd/\(try #require(descriptor(of: path)))")
        let fd = try #require(descriptor(of: path))
        #expect(fcntl(fd, SealedRuntimeCopy.getSeals) == SealedRuntimeCopy.runtimeSeals)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(contentsOf: URL(fileURLWithPath: binary)))
        let byte: [UInt8] = [0]
        #expect(pwrite(fd, byte, 1, 0) == -1 && errno == EPERM, "a sealed copy cannot be written, not even by the agent")
        let run = try output(of: path, ["sealed", "copy"])
        #expect(run.status == 0 && run.text == "sealed copy\n")
    }

    @Test("a binary replaced on disk (a package upgrade) gets a fresh copy; the old one stays runnable for starts under way")
    func replacedBinaryIsCopiedAgain() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let binary = directory + "/runtime"
        try FileManager.default.copyItem(atPath: "/bin/echo", toPath: binary)
        let copy = try #require(SealedRuntimeCopy(source: binary))
        let first = copy.path
        #expect(copy.path == first, "an unchanged binary is not copied again")
        // Replaced the way dpkg does it: a new file renamed over the old one.
        try FileManager.default.copyItem(atPath: "/bin/true", toPath: binary + ".new")
        #expect(rename(binary + ".new", binary) == 0)
        let second = copy.path
        #expect(second != first)
        #expect(try Data(contentsOf: URL(fileURLWithPath: second)) == Data(contentsOf: URL(fileURLWithPath: "/bin/true")))
        #expect(try output(of: second, ["ignored"]).text == "", "the fresh copy is the new binary")
        #expect(try output(of: first, ["old"]).text == "old\n", "the old copy still runs")
    }

    /// crun and runc check at start whether they run from a sealed copy and otherwise execute
    /// themselves again from one they make: their `/proc/<pid>/exe` then names their own copy
    /// (crun's `/tmp/crun.*` bind mount or a `crun_cloned` memfd), and their environment has
    /// `_LIBCONTAINER_CLONED_BINARY=1`. Started from Roost's copy, neither may be seen. The
    /// runtime is held at its first read of config.json (a FIFO) to be looked at.
    @Test("the runtime started from the sealed copy does not execute itself a second time")
    func runtimeDoesNotExecuteItselfAgain() throws {
        guard let runtime = OCIRuntime.detect() else {
            print("skipped: no crun or runc installed (contrib/install-deps.sh installs crun)")
            return
        }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sealed = runtime.sealed()
        let launchPath = sealed.launchPath
        try #require(launchPath != runtime.executable, "the sealed copy was made")
        let config = directory + "/config.json"
        #expect(mkfifo(config, 0o600) == 0)
        let child = Process()
        child.executableURL = URL(fileURLWithPath: launchPath)
        child.arguments = ["--root=" + directory + "/state", "run", "--bundle", directory, "roost-sealed-probe"]
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        defer {
            if child.isRunning { kill(child.processIdentifier, SIGKILL) }
            child.waitUntilExit()
        }
        // The FIFO opens for writing once the runtime opened it to read: past any re-execution.
        var writer: Int32 = -1
        let deadline = Date().addingTimeInterval(20)
        while writer < 0 && child.isRunning && Date() < deadline {
            writer = open(config, O_WRONLY | O_NONBLOCK)
            if writer < 0 { usleep(1000) }
        }
        try #require(writer >= 0, "the runtime reached its config")
        let pid = child.processIdentifier
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? ""
        let environment = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))).map { String(decoding: $0, as: UTF8.self) } ?? ""
        _ = "not a config".withCString { write(writer, $0, strlen($0)) }
        close(writer)
        #expect(exe.contains("roost-oci-runtime"), "the runtime runs from Roost's copy, not its own (\(exe))")
        #expect(!environment.contains("_LIBCONTAINER_CLONED_BINARY"))
        withExtendedLifetime(sealed) {}
    }
}
