import Foundation
import Testing

@testable import Platform

@Suite struct ProcessSpawnerTests {
    /// Reads a pipe to its end (bounded), then closes it.
    func drain(_ fd: Int32) -> String {
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while output.count < 1 << 20 {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        close(fd)
        return String(decoding: output, as: UTF8.self)
    }

    func wait(_ pid: Int32) -> ProcessExitStatus {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return ProcessExitStatus(waitStatus: status)
    }

    @Test func aProcessGetsItsArgumentsEnvironmentAndWorkingDirectoryAndItsOutputOnPipes() throws {
        let scratch = ScratchDirectory()
        let process = try ProcessSpawner.spawn(
            SpawnRequest(
                executable: "/bin/sh", arguments: ["-c", "echo \"$GREETING $1\"; pwd; echo oops >&2; exit 3", "sh", "world"],
                environment: ["GREETING": "hello"], workingDirectory: scratch.path
            )
        )
        let output = drain(process.standardOutput)
        let errors = drain(process.standardError)
        #expect(wait(process.pid) == ProcessExitStatus(code: 3))
        #expect(output == "hello world\n\(scratch.path)\n")
        #expect(errors == "oops\n")
    }

    @Test func aProcessRunsInItsOwnSessionSoSignalsToTheAgentsGroupMissIt() throws {
        let process = try ProcessSpawner.spawn(SpawnRequest(executable: "/bin/sh", arguments: ["-c", "ps -o sid= -p $$"]))
        let session = drain(process.standardOutput).filter { !$0.isWhitespace }
        close(process.standardError)
        _ = wait(process.pid)
        #expect(session == String(process.pid))
        #expect(getpgid(process.pid) != getpgrp() || session == String(process.pid))
    }

    @Test func aSignalDeathIsDecodedWithItsSignal() throws {
        let process = try ProcessSpawner.spawn(SpawnRequest(executable: "/bin/sleep", arguments: ["30"]))
        defer {
            close(process.standardOutput)
            close(process.standardError)
        }
        #expect(ProcessSignals.send(SIGTERM, toGroupOf: process.pid))
        let status = wait(process.pid)
        #expect(status.signal == Int(SIGTERM))
        #expect(status.code == 128 + Int(SIGTERM))
    }

    @Test func aMissingExecutableIsReportedBeforeSpawning() {
        #expect(throws: SpawnError(.executableNotFound, "executable not found: roost-no-such-command is not in the PATH")) {
            try ProcessSpawner.resolveExecutable("roost-no-such-command", searchPath: nil, workingDirectory: "/")
        }
        #expect(throws: SpawnError.self) {
            try ProcessSpawner.resolveExecutable("./missing.sh", searchPath: nil, workingDirectory: "/tmp")
        }
    }

    @Test func aFileWithoutTheExecuteBitIsPermissionDenied() throws {
        let scratch = ScratchDirectory()
        scratch.write("#!/bin/sh\necho hi\n", to: "script.sh")
        do {
            _ = try ProcessSpawner.resolveExecutable("script.sh", searchPath: nil, workingDirectory: scratch.path)
            Issue.record("expected an error")
        } catch {
            // A bare name is looked up in PATH only.
            #expect(error.code == .executableNotFound)
        }
        do {
            _ = try ProcessSpawner.resolveExecutable("./script.sh", searchPath: nil, workingDirectory: scratch.path)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .permissionDenied)
        }
        chmod(scratch.path + "/script.sh", 0o755)
        #expect(try ProcessSpawner.resolveExecutable("./script.sh", searchPath: nil, workingDirectory: scratch.path) == scratch.path + "/./script.sh")
    }

    @Test func namesAreLookedUpInTheGivenSearchPath() throws {
        #expect(try ProcessSpawner.resolveExecutable("sh", searchPath: "/nonexistent:/bin", workingDirectory: "/") == "/bin/sh")
    }

    @Test func aCgroupTheChildCannotJoinFailsTheSpawnWithAClearError() throws {
        do {
            _ = try ProcessSpawner.spawn(
                SpawnRequest(executable: "/bin/true", cgroupProcsFiles: ["/nonexistent/roost/cgroup.procs"])
            )
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .cgroup)
            #expect(error.message.contains("/nonexistent/roost/cgroup.procs"))
        }
    }

    @Test func theChildWritesItsOwnPidToEveryCgroupFileBeforeRunningTheTask() throws {
        let scratch = ScratchDirectory()
        let files = [scratch.path + "/a.procs", scratch.path + "/b.procs"]
        for file in files { _ = FileManager.default.createFile(atPath: file, contents: nil) }
        let process = try ProcessSpawner.spawn(
            SpawnRequest(executable: "/bin/sh", arguments: ["-c", "cat \"$0\"", files[0]], cgroupProcsFiles: files)
        )
        let output = drain(process.standardOutput)
        close(process.standardError)
        _ = wait(process.pid)
        #expect(output == "\(process.pid)\n")
        #expect(scratch.read("b.procs") == "\(process.pid)\n")
    }

    @Test func aMissingWorkingDirectoryFailsTheSpawn() {
        #expect(throws: SpawnError.self) {
            try ProcessSpawner.spawn(SpawnRequest(executable: "/bin/true", workingDirectory: "/nonexistent-roost-dir"))
        }
    }

    @Test func theReaperReportsTheExitOfAWatchedChild() async throws {
        let process = try ProcessSpawner.spawn(SpawnRequest(executable: "/bin/sh", arguments: ["-c", "exit 7"]))
        close(process.standardOutput)
        close(process.standardError)
        let status = await withCheckedContinuation { continuation in
            ProcessReaper.shared.watch(process.pid) { continuation.resume(returning: $0) }
        }
        #expect(status == ProcessExitStatus(code: 7))
    }
}
