#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import Testing

@testable import Platform

/// The reaper's races, driven step by step on a reaper that collects only when told to: a
/// process is ended at the exact moment under test and the collection continues from there.
@Suite struct ProcessReaperTests {
    /// A `/bin/sh` child that exits with `code` once `release` is called, and not before.
    struct HeldChild {
        let pid: Int32
        let fifo: String
        let directory: String

        init(exitCode code: Int) throws {
            directory = FileManager.default.temporaryDirectory.path + "/roost-reaper-" + UUID().uuidString.prefix(8)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            fifo = directory + "/hold"
            guard mkfifo(fifo, 0o600) == 0 else { throw SpawnError(.system, "mkfifo \(fifo) failed") }
            let process = try ProcessSpawner.spawn(
                SpawnRequest(executable: "/bin/sh", arguments: ["-c", "read line < \"$0\"; exit \(code)", fifo]))
            close(process.standardOutput)
            close(process.standardError)
            pid = process.pid
        }

        /// Lets the child exit and returns once it has (a zombie, its status still unread).
        func releaseAndWaitUntilEnded() {
            // Blocks until the child opened the FIFO to read; closing it gives the child EOF.
            let writer = open(fifo, O_WRONLY)
            if writer >= 0 { close(writer) }
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
        }

        /// Ends and reaps the child if a failed test left it; a pid already reaped is not
        /// touched (it may belong to another process by now).
        func cleanUp() {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == 0 {
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test("a task that is watched and also adopted from its cgroup keeps its exit code when it ends in the middle of a collection")
    func watchedAndAdoptedKeepsItsStatus() throws {
        let reaper = ProcessReaper(runsOnItsOwn: false)
        let reported = Mutex<[ProcessExitStatus]>([])
        let child = try reaper.whileSpawning {
            let child = try HeldChild(exitCode: 31)
            // The housekeeping adopts every pid of the task's cgroup, which the task joins
            // before its exec, so before the runner watches it.
            reaper.adopt([child.pid])
            reaper.watch(child.pid) { status in reported.withLock { $0.append(status) } }
            return child
        }
        defer { child.cleanUp() }
        // The task ends after the watched pids were looked at, before the adopted ones are.
        reaper.collect(betweenPasses: { child.releaseAndWaitUntilEnded() })
        reaper.collect()
        #expect(reported.withLock { $0 } == [ProcessExitStatus(code: 31)])
    }

    @Test("a task adopted from its cgroup during its spawn, ended before it is watched, keeps its exit code")
    func adoptedDuringSpawnKeepsItsStatus() throws {
        let reaper = ProcessReaper(runsOnItsOwn: false)
        let reported = Mutex<[ProcessExitStatus]>([])
        let child = try reaper.whileSpawning {
            let child = try HeldChild(exitCode: 96)
            reaper.adopt([child.pid])
            child.releaseAndWaitUntilEnded()
            reaper.collect()
            reaper.watch(child.pid) { status in reported.withLock { $0.append(status) } }
            return child
        }
        defer { child.cleanUp() }
        reaper.collect()
        #expect(reported.withLock { $0 } == [ProcessExitStatus(code: 96)])
    }

    @Test("an adopted orphan that exits is reaped instead of staying a zombie")
    func adoptedOrphanIsReaped() throws {
        let reaper = ProcessReaper(runsOnItsOwn: false)
        let child = try HeldChild(exitCode: 5)
        defer { child.cleanUp() }
        reaper.adopt([child.pid])
        child.releaseAndWaitUntilEnded()
        reaper.collect()
        var status: Int32 = 0
        #expect(waitpid(child.pid, &status, WNOHANG) == -1 && errno == ECHILD, "the zombie was reaped")
    }
}
