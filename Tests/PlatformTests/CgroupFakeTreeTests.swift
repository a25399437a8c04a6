import Foundation
import Testing

@testable import Platform

/// The v1 and v2 logic run against fake trees in a temporary directory: the same files the
/// kernel shows, as ordinary files, so both versions are tested whatever this machine runs.
@Suite struct CgroupFakeTreeTests {
    func v2Tree() -> ScratchDirectory {
        let tree = ScratchDirectory("cgroup-v2")
        tree.write("cpuset cpu io memory hugetlb pids rdma misc\n", to: "cgroup.controllers")
        tree.write("", to: "cgroup.procs")
        return tree
    }

    func v1Tree(hybrid: Bool) -> ScratchDirectory {
        let tree = ScratchDirectory("cgroup-v1")
        for controller in ["memory", "cpu", "pids", "freezer", "cpuacct", "devices"] {
            tree.write("", to: "\(controller)/cgroup.procs")
        }
        if hybrid { tree.write("", to: "unified/cgroup.procs") }
        return tree
    }

    @Test func aUnifiedHierarchyWithTheMemoryControllerIsDetectedAsV2() throws {
        let tree = v2Tree()
        let layout = try #require(CgroupLayout.detect(root: tree.path))
        #expect(layout.version == .v2)
        #expect(layout.unifiedMount == tree.path)
        #expect(layout.unifiedControllers.isSuperset(of: ["memory", "cpu", "pids"]))
    }

    @Test func separateControllerHierarchiesAreDetectedAsV1WithTheHybridUnifiedMount() throws {
        let tree = v1Tree(hybrid: true)
        let layout = try #require(CgroupLayout.detect(root: tree.path))
        #expect(layout.version == .v1)
        #expect(layout.controllerMounts["memory"] == tree.path + "/memory")
        #expect(layout.controllerMounts["pids"] == tree.path + "/pids")
        #expect(layout.unifiedMount == tree.path + "/unified")
        let pure = v1Tree(hybrid: false)
        #expect(CgroupLayout.detect(root: pure.path)?.unifiedMount == nil)
    }

    @Test func aUnifiedMountWithoutControllersFallsBackToTheV1Hierarchies() throws {
        let tree = v1Tree(hybrid: false)
        tree.write("hugetlb\n", to: "cgroup.controllers")
        #expect(CgroupLayout.detect(root: tree.path)?.version == .v1)
    }

    @Test func aHostWithoutCgroupsHasNoLayout() {
        let tree = ScratchDirectory("cgroup-none")
        #expect(CgroupLayout.detect(root: tree.path) == nil)
    }

    @Test func aV2TaskCgroupGetsMemoryMaxCpuWeightAndPidsMax() throws {
        let tree = v2Tree()
        let manager = try #require(CgroupManager(root: tree.path, parent: "roost"))
        let limits = CgroupLimits(memoryMiB: 256, memoryMaxMiB: 512, cpuMHz: 500, pidsMax: 64)
        let handle = try manager.create(name: "alloc1.web", limits: limits)
        let directory = "roost/alloc1.web"
        #expect(tree.read("\(directory)/memory.max") == String(512 << 20))
        #expect(tree.read("\(directory)/memory.low") == String(256 << 20))
        #expect(tree.read("\(directory)/cpu.weight") == String(1 + (498 * 9999) / 262_142))
        #expect(tree.read("\(directory)/pids.max") == "64")
        #expect(tree.read("roost/cgroup.subtree_control")?.isEmpty == false)
        #expect(handle.procsFiles == [tree.path + "/\(directory)/cgroup.procs"])
        #expect(manager.taskCgroupNames() == ["alloc1.web"])
    }

    @Test func aV1TaskCgroupIsCreatedInEveryHierarchyWithItsLimits() throws {
        let tree = v1Tree(hybrid: true)
        let manager = try #require(CgroupManager(root: tree.path, parent: "roost"))
        let handle = try manager.create(name: "alloc1.web", limits: CgroupLimits(memoryMiB: 300, memoryMaxMiB: 0, cpuMHz: 100, pidsMax: 32))
        #expect(tree.read("memory/roost/alloc1.web/memory.limit_in_bytes") == String(300 << 20))
        #expect(tree.read("memory/roost/alloc1.web/memory.soft_limit_in_bytes") == nil)
        #expect(tree.read("cpu/roost/alloc1.web/cpu.shares") == "100")
        #expect(tree.read("pids/roost/alloc1.web/pids.max") == "32")
        #expect(handle.directories.count == 5)  // memory, cpu, pids, freezer and the unified twin
        #expect(handle.unifiedDirectory == tree.path + "/unified/roost/alloc1.web")
        #expect(handle.freezerDirectory == tree.path + "/freezer/roost/alloc1.web")
    }

    @Test func oomKillsAreReadFromMemoryEventsOnV2AndOomControlOnV1() throws {
        let v2 = v2Tree()
        let v2Handle = try #require(CgroupManager(root: v2.path)).create(name: "t", limits: CgroupLimits())
        #expect(v2Handle.oomKillCount() == 0)
        v2.write("low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n", to: "roost/t/memory.events")
        #expect(v2Handle.oomKillCount() == 1)

        let v1 = v1Tree(hybrid: false)
        let v1Handle = try #require(CgroupManager(root: v1.path)).create(name: "t", limits: CgroupLimits())
        v1.write("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n", to: "memory/roost/t/memory.oom_control")
        #expect(v1Handle.oomKillCount() == 3)
    }

    @Test func killingAFakeCgroupKillsTheListedProcessesAndRemovalClearsEveryHierarchy() throws {
        let tree = v1Tree(hybrid: true)
        let manager = try #require(CgroupManager(root: tree.path))
        let handle = try manager.create(name: "t", limits: CgroupLimits(memoryMiB: 64, memoryMaxMiB: 0, cpuMHz: 100, pidsMax: 8))
        let sleeper = try ProcessSpawner.spawn(SpawnRequest(executable: "/bin/sleep", arguments: ["30"], workingDirectory: "/"))
        defer {
            kill(sleeper.pid, SIGKILL)
            var status: Int32 = 0
            waitpid(sleeper.pid, &status, 0)
            close(sleeper.standardOutput)
            close(sleeper.standardError)
        }
        tree.write("\(sleeper.pid)\n", to: "memory/roost/t/cgroup.procs")
        #expect(handle.processIDs() == [sleeper.pid])
        #expect(!handle.isEmpty())
        let seen = handle.killAll()
        #expect(seen.contains(sleeper.pid))
        var status: Int32 = 0
        #expect(waitpid(sleeper.pid, &status, 0) == sleeper.pid)
        #expect(ProcessExitStatus(waitStatus: status).signal == Int(SIGKILL))
        try handle.remove()
        for directory in handle.directories { #expect(!FileIO.exists(directory)) }
        #expect(manager.existing(name: "t") == nil)
    }

    @Test func cgroupNamesFromJobsStayOnePathComponent() throws {
        let tree = v2Tree()
        let manager = try #require(CgroupManager(root: tree.path, parent: "../escape"))
        let handle = try manager.create(name: "../../etc", limits: CgroupLimits())
        #expect(handle.directories.allSatisfy { $0.hasPrefix(tree.path + "/") && !$0.contains("/../") })
    }

    @Test func cpuWeightCoversTheKernelRangeAndLimitsNeverOverflow() {
        #expect(CgroupLimits(cpuShares: 2).cpuWeight == 1)
        #expect(CgroupLimits(cpuShares: 262_144).cpuWeight == 10_000)
        #expect(CgroupLimits(cpuShares: 1024).cpuWeight == 39)
        let huge = CgroupLimits(memoryMiB: Int.max, memoryMaxMiB: Int.max, cpuMHz: Int.max, pidsMax: Int.max)
        #expect(huge.memoryBytes ?? 0 > 0)
        #expect(huge.cpuShares == 262_144)
    }

    @Test func aCgroupThatCannotBeFullyCreatedLeavesNothingBehind() throws {
        let tree = v1Tree(hybrid: true)
        let manager = try #require(CgroupManager(root: tree.path))
        // A directory where the limit file should be makes the limit write fail.
        try FileManager.default.createDirectory(
            atPath: tree.path + "/memory/roost/t/memory.limit_in_bytes", withIntermediateDirectories: true
        )
        #expect(throws: FileIOError.self) {
            try manager.create(name: "t", limits: CgroupLimits(memoryMiB: 64, memoryMaxMiB: 0, cpuMHz: 100, pidsMax: 8))
        }
        #expect(manager.existing(name: "t") == nil)
    }
}
