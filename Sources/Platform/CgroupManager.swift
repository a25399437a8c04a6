#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Creates task cgroups under one parent (`roost` by default) in every hierarchy the layout
/// has, so a task's limits, accounting and kill-all cover all of its processes.
public struct CgroupManager: Sendable {
    public let layout: CgroupLayout
    public let parent: String

    public init(layout: CgroupLayout, parent: String = "roost") {
        self.layout = layout
        self.parent = Self.safeComponent(parent)
    }

    /// Detects the layout under `root`; nil when the host has no usable cgroups.
    public init?(root: String = "/sys/fs/cgroup", parent: String = "roost") {
        guard let layout = CgroupLayout.detect(root: root) else { return nil }
        self.init(layout: layout, parent: parent)
    }

    /// Creates (or takes over, after a crash) the cgroup `name` with `limits`. On v1 the task
    /// joins the memory, cpu, pids and freezer hierarchies and, on a hybrid host, the
    /// controller-less unified one for its atomic `cgroup.kill`.
    /// A failure removes whatever part of the cgroup was already created.
    public func create(name: String, limits: CgroupLimits) throws(FileIOError) -> CgroupHandle {
        do {
            return try createDirectories(name: name, limits: limits)
        } catch {
            try? existing(name: name)?.remove()
            throw error
        }
    }

    private func createDirectories(name: String, limits: CgroupLimits) throws(FileIOError) -> CgroupHandle {
        let name = Self.safeComponent(name)
        switch layout.version {
        case .v2:
            let mount = layout.unifiedMount ?? layout.root
            let parentPath = mount + "/" + parent
            try FileIO.makeDirectories(parentPath)
            let wanted = CgroupLayout.v2Controllers.filter { layout.unifiedControllers.contains($0) }
            // Controllers must be enabled at every level above a cgroup that uses them; a
            // controller already enabled, or refused, leaves the others to try.
            for path in [mount, parentPath] {
                for controller in wanted {
                    try? FileIO.write("+" + controller, to: path + "/cgroup.subtree_control", create: isFake)
                }
            }
            let path = parentPath + "/" + name
            try FileIO.makeDirectories(path)
            let handle = CgroupHandle(version: .v2, directories: [path], memoryDirectory: path, freezerDirectory: nil, unifiedDirectory: path)
            try apply(limits, to: handle)
            return handle
        case .v1:
            var directories: [String] = []
            var memory: String?
            var freezer: String?
            for controller in CgroupLayout.v1Controllers {
                guard let mount = layout.controllerMounts[controller] else { continue }
                let path = mount + "/" + parent + "/" + name
                try FileIO.makeDirectories(path)
                directories.append(path)
                if controller == "memory" { memory = path }
                if controller == "freezer" { freezer = path }
            }
            var unified: String?
            if let mount = layout.unifiedMount {
                let path = mount + "/" + parent + "/" + name
                if (try? FileIO.makeDirectories(path)) != nil {
                    directories.append(path)
                    unified = path
                }
            }
            let handle = CgroupHandle(
                version: .v1, directories: directories, memoryDirectory: memory, freezerDirectory: freezer,
                unifiedDirectory: unified
            )
            try apply(limits, to: handle)
            return handle
        }
    }

    /// The handle of an existing cgroup `name`, to clean up after a crash; nil if absent.
    public func existing(name: String) -> CgroupHandle? {
        let name = Self.safeComponent(name)
        switch layout.version {
        case .v2:
            let path = (layout.unifiedMount ?? layout.root) + "/" + parent + "/" + name
            guard FileIO.isDirectory(path) else { return nil }
            return CgroupHandle(version: .v2, directories: [path], memoryDirectory: path, freezerDirectory: nil, unifiedDirectory: path)
        case .v1:
            var directories: [String] = []
            var memory: String?
            var freezer: String?
            var unified: String?
            for controller in CgroupLayout.v1Controllers {
                guard let mount = layout.controllerMounts[controller] else { continue }
                let path = mount + "/" + parent + "/" + name
                guard FileIO.isDirectory(path) else { continue }
                directories.append(path)
                if controller == "memory" { memory = path }
                if controller == "freezer" { freezer = path }
            }
            if let mount = layout.unifiedMount, FileIO.isDirectory(mount + "/" + parent + "/" + name) {
                unified = mount + "/" + parent + "/" + name
                directories.append(mount + "/" + parent + "/" + name)
            }
            if directories.isEmpty { return nil }
            return CgroupHandle(
                version: .v1, directories: directories, memoryDirectory: memory, freezerDirectory: freezer,
                unifiedDirectory: unified
            )
        }
    }

    /// The names of task cgroups under the parent (in the memory hierarchy on v1).
    public func taskCgroupNames() -> [String] {
        let base: String
        switch layout.version {
        case .v2: base = (layout.unifiedMount ?? layout.root) + "/" + parent
        case .v1: base = (layout.controllerMounts["memory"] ?? layout.root) + "/" + parent
        }
        return FileIO.directoryEntries(base).filter { FileIO.isDirectory(base + "/" + $0) }.sorted()
    }

    /// Creates the parent in every hierarchy, so that a worker without the rights to manage
    /// cgroups finds out when it starts rather than at its first task.
    public func prepareParent() throws(FileIOError) {
        switch layout.version {
        case .v2:
            try FileIO.makeDirectories((layout.unifiedMount ?? layout.root) + "/" + parent)
        case .v1:
            for controller in CgroupLayout.v1Controllers {
                guard let mount = layout.controllerMounts[controller] else { continue }
                try FileIO.makeDirectories(mount + "/" + parent)
            }
        }
    }

    /// Removes the parent directories when no task cgroup is left under them (agent shutdown,
    /// test teardown). Returns false when something is still there.
    @discardableResult
    public func removeParentIfEmpty() -> Bool {
        var mounts: [String] = []
        switch layout.version {
        case .v2: mounts = [layout.unifiedMount ?? layout.root]
        case .v1: mounts = CgroupLayout.v1Controllers.compactMap { layout.controllerMounts[$0] } + [layout.unifiedMount].compactMap { $0 }
        }
        var removed = true
        for mount in mounts {
            let path = mount + "/" + parent
            guard FileIO.isDirectory(path) else { continue }
            let children = FileIO.directoryEntries(path).filter { FileIO.isDirectory(path + "/" + $0) }
            if !children.isEmpty {
                removed = false
                continue
            }
            if rmdir(path) != 0 {
                if FileIO.isCgroupFileSystem(path) { removed = false } else { FileIO.removeTree(path) }
            }
        }
        return removed
    }

    private func apply(_ limits: CgroupLimits, to handle: CgroupHandle) throws(FileIOError) {
        let fake = isFake
        switch handle.version {
        case .v2:
            guard let path = handle.memoryDirectory else { return }
            if let bytes = limits.memoryBytes { try FileIO.write(String(bytes), to: path + "/memory.max", create: fake) }
            if let bytes = limits.memorySoftBytes { try FileIO.write(String(bytes), to: path + "/memory.low", create: fake) }
            if let weight = limits.cpuWeight { try FileIO.write(String(weight), to: path + "/cpu.weight", create: fake) }
            if let pids = limits.pidsMax { try FileIO.write(String(pids), to: path + "/pids.max", create: fake) }
        case .v1:
            if let path = handle.memoryDirectory {
                if let bytes = limits.memoryBytes {
                    try FileIO.write(String(bytes), to: path + "/memory.limit_in_bytes", create: fake)
                }
                if let bytes = limits.memorySoftBytes {
                    try FileIO.write(String(bytes), to: path + "/memory.soft_limit_in_bytes", create: fake)
                }
            }
            if let shares = limits.cpuShares, let mount = layout.controllerMounts["cpu"] {
                try FileIO.write(String(shares), to: mount + "/" + parent + "/" + handle.name + "/cpu.shares", create: fake)
            }
            if let pids = limits.pidsMax, let mount = layout.controllerMounts["pids"] {
                try FileIO.write(String(pids), to: mount + "/" + parent + "/" + handle.name + "/pids.max", create: fake)
            }
        }
    }

    /// A real cgroup file system creates control files itself; a fake tree in a temporary
    /// directory (tests) does not, so there writes create them.
    private var isFake: Bool {
        let probe = layout.version == .v2 ? (layout.unifiedMount ?? layout.root) : (layout.controllerMounts["memory"] ?? layout.root)
        return !FileIO.isCgroupFileSystem(probe)
    }

    /// Keeps names to one path component of safe characters, whatever a job is called.
    static func safeComponent(_ name: String) -> String {
        let allowed = name.unicodeScalars.map { scalar -> Character in
            let ok = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
                || scalar == "-" || scalar == "_" || scalar == "."
            return ok ? Character(scalar) : "_"
        }
        var text = String(allowed.prefix(200))
        if text.isEmpty || text == "." || text == ".." { text = "_" + text }
        return text
    }
}
