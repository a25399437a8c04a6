import ClusterModel
import Dispatch
import Foundation
import Images
import Platform
import Synchronization

/// One container the `oci` driver prepared: its runtime id and bundle (rootfs + config.json).
struct OCIContainer: Sendable, Hashable {
    var id: String
    var bundle: String
    /// What the driver fell back on while preparing it, for the task's Driver events.
    var driverNotes: [String] = []
    var pidFile: String { bundle + "/init.pid" }
    var logFile: String { bundle + "/runtime.log" }
}

/// The `oci` task driver (`driver = "docker"` is the same): pulls the task's image, unpacks it
/// into a per-task bundle, writes the runtime config and hands the container to crun or runc.
/// The allocation runner then treats the container's init like a raw_exec process: same
/// cgroup (Roost's task cgroup is the container's `cgroupsPath`), same log pumps, same stop.
public final class OCIDriver: Sendable {
    public let runtime: OCIRuntime
    public let images: ImageStore
    /// Unpacked images, the read-only lower layers of the containers' overlay root file systems.
    public let unpacked: UnpackedImageCache
    let bundlesDirectory: String
    /// The program started as each container's monitor (see `OCIMonitorProgram`):
    /// `roost-oci-monitor`, else `roost` with `monitorPrefix` `["oci-monitor"]`.
    let monitorExecutable: String
    let monitorPrefix: [String]
    /// Containers a previous agent on this data directory left running (or that ended while
    /// no agent watched): the Supervisor hands them back to their allocations' runners.
    let reattachable: [OCIContainerRecord]
    /// The image of each container this driver runs, kept from garbage collection.
    private let imagesInUse = Mutex<[String: PulledImage]>([:])
    private let cacheLimitBytes: Int64
    private let lastCollection = Mutex<ContinuousClock.Instant?>(nil)
    private let cacheGraceSeconds: Double
    /// The monitor started ahead of the next container (`OCIStandbyMonitor`).
    let standby = Mutex(StandbyState())
    struct StandbyState {
        var monitor: OCIStandbyMonitor?
        var isStarting = false
        var isClosed = false
    }
    static let standbyQueue = DispatchQueue(label: "roost.oci.standby")

    /// The `driver` values this driver runs.
    public static let driverNames: Set<String> = ["oci", "docker"]
    /// The task `config` keys it understands (Nomad docker driver names); others are ignored.
    static let maximumListItems = 4096

    private static let blockingQueue = DispatchQueue(label: "roost.oci.blocking", attributes: .concurrent)

    /// Sets the driver up, or explains why the node cannot run containers.
    public init(settings: SupervisorSettings, log: (String) -> Void = { _ in }) throws(OCIRuntimeError) {
        guard var runtime = OCIRuntime.detect(preferred: settings.ociRuntime) else {
            throw OCIRuntimeError(
                settings.ociRuntime.map { "the OCI runtime \"\($0)\" is not installed" }
                    ?? "no OCI runtime: install crun (apt-get install crun) or runc to run oci/docker tasks")
        }
        if runtime.kind == .crun {
            switch OCIRuntime.prepareHybridCgroups(root: settings.cgroupRoot) {
            case .success(let action?):
                log("oci: \(action)")
            case .success(nil):
                break
            case .failure(let error):
                guard settings.ociRuntime == nil, let runc = OCIRuntime.detect(preferred: "runc") else { throw error }
                log("oci: \(error.message); using runc instead")
                runtime = runc
            }
        }
        self.runtime = runtime.sealed()
        guard let monitor = settings.ociMonitorExecutable ?? Self.findMonitorExecutable() else {
            throw OCIRuntimeError(
                "no roost-oci-monitor (or roost) executable to run as the container monitor next to \(Self.currentExecutable() ?? "this program"); build them (swift build) or set the monitor path in the agent's settings")
        }
        monitorExecutable = monitor
        monitorPrefix = URL(fileURLWithPath: monitor).lastPathComponent == OCIContainerMonitor.executableName ? [] : [OCIContainerMonitor.subcommand]
        bundlesDirectory = settings.dataDirectory + "/oci/bundles"
        let limitMiB = Int64(max(settings.imageCacheLimitMiB, 0))
        cacheLimitBytes = limitMiB > Int64.max >> 20 ? Int64.max : limitMiB << 20
        cacheGraceSeconds = max(settings.imageCacheGraceSeconds, 0)
        do {
            images = try ImageStore(directory: settings.dataDirectory + "/images", settings: settings.registry)
            unpacked = try UnpackedImageCache(directory: settings.dataDirectory + "/images/unpacked")
            try FileManager.default.createDirectory(atPath: bundlesDirectory, withIntermediateDirectories: true)
        } catch {
            throw OCIRuntimeError("cannot prepare the image cache under \(settings.dataDirectory): \(error)")
        }
        reattachable = Self.removeLeftovers(bundlesDirectory: bundlesDirectory, runtime: self.runtime)
    }

    /// Sorts what a previous agent left under the bundles directory. A bundle with a container
    /// record belongs to a container that was started and is kept for reattachment, whether
    /// it still runs, ended meanwhile or vanished (its runner reports which). Any other bundle
    /// is from an agent that crashed while starting it: runtime state, overlay mount and bundle go.
    private static func removeLeftovers(bundlesDirectory: String, runtime: OCIRuntime) -> [OCIContainerRecord] {
        var kept: [OCIContainerRecord] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: bundlesDirectory)) ?? [] where name.hasPrefix("roost-") {
            let bundle = bundlesDirectory + "/" + name
            if let record = OCIContainerRecord.load(bundle: bundle), record.containerID == name, record.bundle == bundle {
                kept.append(record)
                continue
            }
            if runtime.mayHaveState(name) { runtime.run(["delete", "--force", name]) }
            OCIRootFilesystem.remove(bundle: bundle)
        }
        return kept.sorted { $0.containerID < $1.containerID }
    }

    /// The running program's path (`/proc/self/exe`).
    static func currentExecutable() -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }

    /// `roost-oci-monitor` beside the running program (it starts in a few milliseconds, with
    /// no Foundation to load); else the agent's own binary when it is `roost`, else a `roost`
    /// beside it.
    static func findMonitorExecutable() -> String? {
        guard let current = currentExecutable() else { return nil }
        let url = URL(fileURLWithPath: current)
        let small = url.deletingLastPathComponent().appendingPathComponent(OCIContainerMonitor.executableName).path
        if access(small, X_OK) == 0 { return small }
        if url.lastPathComponent == "roost" { return current }
        let sibling = url.deletingLastPathComponent().appendingPathComponent("roost").path
        return access(sibling, X_OK) == 0 ? sibling : nil
    }

    /// Trims the image cache to its limit, sparing the images of running containers.
    @discardableResult
    public func collectGarbage() async -> ImageGarbageCollector.Report {
        let inUse = Array(imagesInUse.withLock { $0.values })
        let (blobs, unpacked, limit, grace) = (images.blobs, unpacked, cacheLimitBytes, cacheGraceSeconds)
        return await Self.blocking {
            ImageGarbageCollector.collect(blobs: blobs, unpacked: unpacked, inUse: inUse, limitBytes: limit, minimumAgeSeconds: grace)
        }
    }

    /// One line on the agent's stderr.
    public static func report(_ message: String) {
        FileHandle.standardError.write(Data(("roost: " + message + "\n").utf8))
    }

    static func containerID(allocation: AllocationID, task: String) -> String {
        "roost-" + CgroupNames.task(allocation: allocation.uuid, task: task)
    }

    /// Pulls the image and writes the bundle. Failures are driver failures (the restart policy
    /// applies), with the registry's or layer's own explanation.
    func prepare(
        task: TaskSpec, allocation: Allocation, directory: AllocationDirectory, settings: SupervisorSettings,
        network: OCIContainerSpec.Network = .host
    ) async throws(TaskPreparationError) -> OCIContainer {
        let trace = String(allocation.id.uuid.prefix(8)) + "." + task.name
        var (environment, interpolator) = TaskEnvironment.build(
            allocation: allocation, task: task, directory: directory, node: settings.node, region: settings.region,
            agentEnvironment: [:]
        )
        try TaskPreparation.renderTemplates(task.templates, taskDirectory: directory.taskDirectory(task.name), interpolator: interpolator)
        for (name, inside) in [("ALLOC_DIR", "/alloc"), ("TASK_DIR", "/local"), ("SECRETS_DIR", "/secrets")] where task.env["NOMAD_" + name] == nil {
            environment["NOMAD_" + name] = inside
            environment["ROOST_" + name] = inside
        }
        interpolator.environment = environment
        let config = try OCITaskConfig(task.config, interpolator: interpolator)
        OCIStartTrace.mark(trace, "task-config")
        let image: PulledImage
        do {
            image = try await images.pull(config.image, forcePull: config.forcePull)
        } catch {
            throw TaskPreparationError(message: "image \(config.image): \(error.message)", isSetupFailure: false)
        }
        OCIStartTrace.mark(trace, "image-pulled")
        let id = Self.containerID(allocation: allocation.id, task: task.name)
        let container = OCIContainer(id: id, bundle: bundlesDirectory + "/" + id, driverNotes: [image.fallbackNote].compactMap { $0 })
        imagesInUse.withLock { $0[id] = image }
        let resources = allocation.taskResources[task.name] ?? task.resources
        let limits = CgroupLimits(
            memoryMiB: resources.memoryMiB, memoryMaxMiB: resources.memoryMaxMiB, cpuMHz: resources.cpuMHz, pidsMax: settings.pidsLimit
        )
        let cgroupsPath = "/" + CgroupNames.component(settings.cgroupParent) + "/" + CgroupNames.task(allocation: allocation.id.uuid, task: task.name)
        let runtime = runtime
        // The image unpacked once per node; each container gets an overlay on top of it (or,
        // where overlay mounts fail, its own unpacked copy).
        let lower: String
        do {
            lower = try await unpacked.rootfs(for: image)
        } catch {
            throw TaskPreparationError(message: "image \(config.image): \(error.message)", isSetupFailure: false)
        }
        OCIStartTrace.mark(trace, "image-unpacked")
        let containerEnvironment = environment
        let userSpec = task.user.isEmpty ? (image.configuration.config?.User ?? "") : task.user
        let result: Result<Void, TaskPreparationError> = await Self.blocking {
            do {
                // A container of the same name left by a crashed agent (a process per start otherwise).
                if runtime.mayHaveState(id) { runtime.run(["delete", "--force", id]) }
                OCIRootFilesystem.remove(bundle: container.bundle)
                OCIStartTrace.mark(trace, "bundle-cleared")
                try FileManager.default.createDirectory(atPath: container.bundle, withIntermediateDirectories: true)
                if !OCIRootFilesystem.mountOverlay(lower: lower, bundle: container.bundle) {
                    try LayerUnpacker.unpack(image.layers, into: container.bundle + "/rootfs")
                }
                OCIStartTrace.mark(trace, "rootfs-ready")
                let (uid, gid) = try OCIUserResolver.resolve(userSpec, rootfs: container.bundle + "/rootfs")
                var spec = OCIContainerSpec(
                    arguments: try config.arguments(image: image.configuration),
                    environment: OCITaskConfig.mergedEnvironment(image: image.configuration.config?.Env ?? [], task: containerEnvironment),
                    workingDirectory: config.workingDirectory ?? nonEmpty(image.configuration.config?.WorkingDir) ?? "/",
                    uid: uid, gid: gid,
                    mounts: OCIContainerSpec.baseMounts,
                    cgroupsPath: cgroupsPath,
                    memoryLimitBytes: limits.memoryBytes, memoryReservationBytes: limits.memorySoftBytes,
                    cpuShares: limits.cpuShares, pidsLimit: limits.pidsMax
                )
                spec.network = network
                spec.mounts.append(OCIContainerSpec.bind(directory.sharedDirectory, at: "/alloc"))
                spec.mounts.append(OCIContainerSpec.bind(directory.localDirectory(task.name), at: "/local"))
                spec.mounts.append(OCIContainerSpec.bind(directory.secretsDirectory(task.name), at: "/secrets"))
                for file in ["/etc/resolv.conf", "/etc/hosts"] where FileManager.default.fileExists(atPath: file) {
                    spec.mounts.append(OCIContainerSpec.bind(file, at: file, readOnly: true))
                }
                OCIStartTrace.mark(trace, "user-resolved")
                let json = spec.document.bytes
                OCIStartTrace.mark(trace, "config-encoded")
                try Self.writeFile(json, to: container.bundle + "/config.json")
                OCIStartTrace.mark(trace, "config-written")
                return .success(())
            } catch let error as TaskPreparationError {
                return .failure(error)
            } catch let error as ImageError {
                return .failure(TaskPreparationError(message: "image \(config.image): \(error.message)", isSetupFailure: false))
            } catch {
                return .failure(TaskPreparationError(message: "cannot write the container bundle \(container.bundle): \(error)", isSetupFailure: false))
            }
        }
        if case .failure(let error) = result {
            imagesInUse.withLock { $0[id] = nil }
            OCIRootFilesystem.remove(bundle: container.bundle)
            throw error
        }
        return container
    }

    /// Removes the container (runtime state and its cgroup) and its bundle.
    func remove(_ container: OCIContainer) async {
        let runtime = runtime
        await Self.blocking {
            runtime.run(["delete", "--force", container.id])
            OCIRootFilesystem.remove(bundle: container.bundle)
        }
        imagesInUse.withLock { $0[container.id] = nil }
        // Walking the cache costs a stat per file, so it is trimmed at most twice a minute.
        let due = lastCollection.withLock { last in
            guard ContinuousClock.now - (last ?? .now - .seconds(3600)) >= .seconds(30) else { return false }
            last = .now
            return true
        }
        if due { await collectGarbage() }
    }

    /// The runtime's own explanation of a failure: its stderr, else the last lines of its log.
    static func runtimeMessage(_ stderr: String, logFile: String) -> String {
        var text = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty, let log = try? String(contentsOfFile: logFile, encoding: .utf8) {
            text = log.split(separator: "\n").suffix(3).joined(separator: "; ")
        }
        return text.isEmpty ? "the OCI runtime failed without a message" : String(text.prefix(2000))
    }

    /// The runtime makes the containers' cgroup parent in every v1 hierarchy it finds (blkio,
    /// devices, hugetlb…), not only in those Roost manages, and never removes it. At shutdown
    /// the empty ones go (rmdir removes nothing that still has a cgroup or a process in it).
    /// Only under a real cgroup mount: never in a test's fake tree.
    static func removeRuntimeCgroupParents(root: String, parent: String) {
        let name = CgroupNames.component(parent)
        guard !name.isEmpty, FileIO.isCgroupFileSystem(root + "/memory") || FileIO.isCgroupFileSystem(root) else { return }
        for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            let path = root + "/" + hierarchy + "/" + name
            if FileIO.isDirectory(path) { _ = rmdir(path) }
        }
    }

    /// Writes a new file with plain open/write (Foundation's Data.write costs ~0.4 ms here).
    static func writeFile(_ bytes: [UInt8], to path: String) throws(TaskPreparationError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw TaskPreparationError(message: "cannot create \(path): \(String(cString: strerror(errno))); check the data directory", isSetupFailure: false)
        }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw TaskPreparationError(message: "cannot write \(path): \(String(cString: strerror(errno))); check the free space of the data directory", isSetupFailure: false)
            }
            written += count
        }
    }

    static func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            blockingQueue.async { continuation.resume(returning: body()) }
        }
    }
}

private func nonEmpty(_ text: String?) -> String? {
    guard let text, !text.isEmpty else { return nil }
    return text
}
