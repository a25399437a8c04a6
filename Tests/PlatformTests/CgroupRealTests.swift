import Foundation
import Testing

@testable import Platform

/// The same logic against this machine's real cgroups (hybrid v1 here, v2 elsewhere). Needs
/// root; each test uses its own parent so tests running in parallel never touch each other,
/// and removes it.
@Suite struct CgroupRealTests {
    static var isRoot: Bool { getuid() == 0 }

    func makeManager() -> CgroupManager? {
        guard Self.isRoot else {
            print("skipped: needs root")
            return nil
        }
        return CgroupManager(parent: "roost-test-\(UUID().uuidString.prefix(8).lowercased())")
    }

    func reap(_ pid: Int32) -> ProcessExitStatus {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return ProcessExitStatus(waitStatus: status)
    }

    @Test func aSpawnedTaskAndItsChildrenLiveInTheCgroupAndKillAllLeavesNoneBehind() throws {
        guard let manager = makeManager() else { return }
        defer { #expect(manager.removeParentIfEmpty()) }
        let handle = try manager.create(name: "alloc.web", limits: CgroupLimits(memoryMiB: 64, memoryMaxMiB: 0, cpuMHz: 100, pidsMax: 64))
        let process = try ProcessSpawner.spawn(
            SpawnRequest(
                executable: "/bin/sh", arguments: ["-c", "trap '' TERM; sleep 300 & sleep 300 & echo ready; wait"],
                cgroupProcsFiles: handle.procsFiles
            )
        )
        close(process.standardError)
        var buffer = [UInt8](repeating: 0, count: 16)
        _ = read(process.standardOutput, &buffer, buffer.count)  // "ready": the children exist
        close(process.standardOutput)

        let membership = FileIO.readText("/proc/\(process.pid)/cgroup") ?? ""
        #expect(membership.contains("/\(manager.parent)/alloc.web"))
        let pids = handle.processIDs()
        #expect(pids.contains(process.pid))
        #expect(pids.count == 3)

        let seen = handle.killAll()
        #expect(Set(pids).isSubset(of: seen))
        #expect(reap(process.pid).signal == Int(SIGKILL))
        #expect(handle.isEmpty())
        for pid in pids where pid != process.pid {
            #expect(!ProcessSignals.isAlive(pid))
        }
        try handle.remove()
        for directory in handle.directories { #expect(!FileIO.exists(directory)) }
    }

    @Test func aProcessOverItsMemoryLimitIsOOMKilledAndCounted() throws {
        guard let manager = makeManager() else { return }
        defer { #expect(manager.removeParentIfEmpty()) }
        let handle = try manager.create(name: "alloc.hog", limits: CgroupLimits(memoryMiB: 16, memoryMaxMiB: 0, cpuMHz: 100, pidsMax: 16))
        defer {
            handle.killAll()
            try? handle.remove()
        }
        let process = try ProcessSpawner.spawn(
            SpawnRequest(
                executable: "/bin/sh", arguments: ["-c", "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived"],
                cgroupProcsFiles: handle.procsFiles
            )
        )
        close(process.standardOutput)
        close(process.standardError)
        _ = reap(process.pid)
        #expect(handle.oomKillCount() >= 1)
    }

    @Test func thePidsLimitStopsAForkBombInsideItsTask() throws {
        guard let manager = makeManager() else { return }
        defer { #expect(manager.removeParentIfEmpty()) }
        let handle = try manager.create(name: "alloc.forks", limits: CgroupLimits(memoryMiB: 64, memoryMaxMiB: 0, cpuMHz: 100, pidsMax: 4))
        defer {
            handle.killAll()
            try? handle.remove()
        }
        let process = try ProcessSpawner.spawn(
            SpawnRequest(
                executable: "/bin/sh", arguments: ["-c", "for i in 1 2 3 4 5 6 7 8; do sleep 30 & done; wait"],
                cgroupProcsFiles: handle.procsFiles
            )
        )
        close(process.standardOutput)
        let errors = readAll(process.standardError, until: "fork")
        close(process.standardError)
        #expect(handle.processIDs().count <= 4)
        #expect(errors.lowercased().contains("fork"))
        handle.killAll()
        _ = reap(process.pid)
    }

    /// Reads until `marker` appears or the pipe ends (bounded).
    func readAll(_ fd: Int32, until marker: String) -> String {
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 1024)
        while text.utf8.count < 1 << 16 && !text.contains(marker) {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            text += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        return text
    }
}
