#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One task's cgroup across its hierarchies: what the spawn shim joins, where OOM kills are
/// counted, and how every process of the task is killed and the cgroup removed.
public struct CgroupHandle: Sendable, Hashable {
    public let version: CgroupVersion
    /// Every directory of the cgroup, one per hierarchy.
    public let directories: [String]
    public let memoryDirectory: String?
    public let freezerDirectory: String?
    /// The cgroup2 directory (the cgroup itself on v2, the controller-less twin on hybrid v1).
    public let unifiedDirectory: String?

    public init(
        version: CgroupVersion, directories: [String], memoryDirectory: String?, freezerDirectory: String?,
        unifiedDirectory: String?
    ) {
        self.version = version
        self.directories = directories
        self.memoryDirectory = memoryDirectory
        self.freezerDirectory = freezerDirectory
        self.unifiedDirectory = unifiedDirectory
    }

    /// The cgroup's own name (the last path component).
    public var name: String { String((directories.first ?? "").split(separator: "/").last ?? "") }

    /// The files the spawn shim writes its pid to.
    public var procsFiles: [String] { directories.map { $0 + "/cgroup.procs" } }

    /// OOM kills the kernel recorded in this cgroup: `oom_kill` in v2 `memory.events` or in v1
    /// `memory.oom_control` (kernels 4.13+).
    public func oomKillCount() -> Int {
        guard let memory = memoryDirectory else { return 0 }
        let file = version == .v2 ? "/memory.events" : "/memory.oom_control"
        guard let text = FileIO.readText(memory + file, limit: 64 * 1024) else { return 0 }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2 && fields[0] == "oom_kill" { return Int(fields[1]) ?? 0 }
        }
        return 0
    }

    /// The pids in the cgroup, over every hierarchy (bounded: a pids limit keeps it small).
    public func processIDs() -> [Int32] {
        var seen = Set<Int32>()
        for file in procsFiles {
            guard let text = FileIO.readText(file, limit: 4 << 20) else { continue }
            for line in text.split(separator: "\n") {
                if let pid = Int32(line.filter { $0 != " " }), pid > 0 { seen.insert(pid) }
            }
        }
        return seen.sorted()
    }

    /// Whether any live process remains (a listed pid that is gone or a zombie does not count,
    /// which also makes this right for fake trees in tests).
    public func isEmpty() -> Bool { processIDs().allSatisfy { !ProcessSignals.isAlive($0) } }

    /// SIGKILLs every process in the cgroup until none is alive or `attempts` rounds (10 ms
    /// apart) passed. Uses `cgroup.kill` when the kernel has it (atomic, no fork race);
    /// otherwise freezes the cgroup (v1 freezer) so nothing can fork between reading the list
    /// and killing it. Returns every pid it saw, so the caller can reap re-parented orphans.
    @discardableResult
    public func killAll(attempts: Int = 500) -> Set<Int32> {
        var seen = Set<Int32>()
        for round in 0..<max(attempts, 1) {
            let pids = processIDs().filter { ProcessSignals.isAlive($0) }
            seen.formUnion(pids)
            if pids.isEmpty { return seen }
            if round == 0, let unified = unifiedDirectory, FileIO.exists(unified + "/cgroup.kill") {
                try? FileIO.write("1", to: unified + "/cgroup.kill")
            }
            let frozen = freeze(true)
            for pid in pids { kill(pid, SIGKILL) }
            if frozen { _ = freeze(false) }
            usleep(10_000)
        }
        return seen
    }

    /// Removes every directory of the cgroup; retries briefly while the kernel still counts
    /// exiting processes. Missing directories are fine.
    public func remove(attempts: Int = 100) throws(FileIOError) {
        for directory in directories {
            var attempt = 0
            while rmdir(directory) != 0 {
                let error = errno
                if error == ENOENT { break }
                if error == ENOTEMPTY && !FileIO.isCgroupFileSystem(directory) {
                    // A fake tree: the control files are ordinary files.
                    FileIO.removeTree(directory)
                    break
                }
                attempt += 1
                if attempt >= attempts { throw FileIOError(path: directory, operation: "rmdir", errno: error) }
                usleep(10_000)
            }
        }
    }

    private func freeze(_ frozen: Bool) -> Bool {
        guard let freezer = freezerDirectory, FileIO.exists(freezer + "/freezer.state") else { return false }
        return (try? FileIO.write(frozen ? "FROZEN" : "THAWED", to: freezer + "/freezer.state")) != nil
    }
}
