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

    /// The parent pid of `pid` from /proc, nil once it is gone.
    static func parent(of pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    @Test("an orphan a task leaves behind that exits before the housekeeping ever saw it is reaped, not left a zombie")
    func unseenOrphanOfATaskSessionIsReaped() throws {
        #expect(ProcessReaper.becomeSubreaper(), "orphans come to this process only as a subreaper")
        let reaper = ProcessReaper(runsOnItsOwn: false)
        let directory = FileManager.default.temporaryDirectory.path + "/roost-reaper-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let holdOrphan = directory + "/orphan", holdTask = directory + "/task"
        #expect(mkfifo(holdOrphan, 0o600) == 0 && mkfifo(holdTask, 0o600) == 0)
        // The subshell starts the orphan, prints its pid and exits at once; the task waits.
        let script = #"( /bin/sh -c 'read line < "$0"; exit 3' "$0" & echo $! ); read line < "$1"; exit 0"#
        let task = try ProcessSpawner.spawn(SpawnRequest(executable: "/bin/sh", arguments: ["-c", script, holdOrphan, holdTask]))
        close(task.standardError)
        let reported = Mutex<[ProcessExitStatus]>([])
        reaper.watch(task.pid, reapingOrphansOfItsSession: true) { status in reported.withLock { $0.append(status) } }
        var text: [UInt8] = []
        var byte: UInt8 = 0
        while read(task.standardOutput, &byte, 1) == 1, byte != UInt8(ascii: "\n") { text.append(byte) }
        close(task.standardOutput)
        let orphan = Int32(String(decoding: text, as: UTF8.self)) ?? 0
        try #require(orphan > 0, "the task printed its orphan's pid")
        defer {
            var status: Int32 = 0
            if waitpid(orphan, &status, WNOHANG) == 0 {
                kill(orphan, SIGKILL)
                _ = waitpid(orphan, &status, 0)
            }
        }
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        // Re-parented once the subshell has exited, which it does right after the echo.
        while Self.parent(of: orphan) != getpid() && ContinuousClock.now < deadline { usleep(1000) }
        try #require(Self.parent(of: orphan) == getpid(), "the orphan was re-parented to this process")
        // It exits without ever having been adopted: only its session says whose it is.
        let writer = open(holdOrphan, O_WRONLY)
        if writer >= 0 { close(writer) }
        var info = siginfo_t()
        while waitid(P_PID, id_t(orphan), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
        reaper.collect()
        var status: Int32 = 0
        #expect(waitpid(orphan, &status, WNOHANG) == -1 && errno == ECHILD, "the orphan's zombie was reaped")
        #expect(reaper.taskSessionCount == 1, "the task still runs: its session is still looked after")
        // The task ends: its own status is reported, and its session is forgotten.
        let taskWriter = open(holdTask, O_WRONLY)
        if taskWriter >= 0 { close(taskWriter) }
        while waitid(P_PID, id_t(task.pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
        reaper.collect()
        #expect(reported.withLock { $0 } == [ProcessExitStatus(code: 0)])
        #expect(reaper.taskSessionCount == 0, "a session with no process left is forgotten")
    }

    @Test("a zombie child of a session no task registered keeps its status for whoever waits for it")
    func zombieOfAnotherSessionIsLeftAlone() throws {
        let reaper = ProcessReaper(runsOnItsOwn: false)
        let task = try HeldChild(exitCode: 1)
        defer { task.cleanUp() }
        reaper.watch(task.pid, reapingOrphansOfItsSession: true) { _ in }
        let other = try HeldChild(exitCode: 9)
        defer { other.cleanUp() }
        other.releaseAndWaitUntilEnded()
        reaper.collect()
        var status: Int32 = 0
        #expect(waitpid(other.pid, &status, WNOHANG) == other.pid)
        #expect(ProcessExitStatus(waitStatus: status) == ProcessExitStatus(code: 9))
    }
}
