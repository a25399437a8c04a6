import ClusterModel
import Platform
import Supervision

/// Runs allocations on this worker: one runner per allocation, every task in its own cgroup,
/// status changes published on `updates` for the Worker to send to the managers.
///
/// Lifetime: create one per agent; call `shutdown()` before the agent exits so no task process
/// or cgroup outlives it, or `detach()` to leave service containers running for the next
/// agent on the same data directory, which calls `reattach()` after `init`.
public actor Supervisor {
    public let settings: SupervisorSettings
    /// Every status change of every allocation, in order per allocation. Buffered (newest 4096
    /// kept) so a slow consumer cannot stall task supervision; `status(of:)` always has the latest.
    public nonisolated let updates: AsyncStream<AllocationUpdate>
    /// The cgroup interface in use; nil when tasks run without cgroups.
    public nonisolated let cgroupVersion: CgroupVersion?

    /// The oci/docker driver; nil when the node has no usable OCI runtime (`ociUnavailable` says why).
    public nonisolated let ociDriver: OCIDriver?
    public nonisolated let ociUnavailable: String?
    /// The node's bridge for `bridge`-mode groups; nil when `ip` or `iptables` is missing or the
    /// agent is not root (`bridgeUnavailable` says why).
    public nonisolated let bridgeNetwork: BridgeNetwork?
    public nonisolated let bridgeUnavailable: String?

    private let continuation: AsyncStream<AllocationUpdate>.Continuation
    private let cgroups: CgroupManager?
    private var runners: [AllocationID: AllocationRunner] = [:]
    private var housekeeping: Task<Void, Never>?

    /// How often running tasks' processes are looked at for orphans to reap.
    static let housekeepingInterval: Duration = .seconds(1)

    /// The most allocations one worker keeps (running or finished but not forgotten).
    public static let maximumAllocations = 10_000

    /// Prepares the data directory and cgroup parent, removes task cgroups a crashed agent left
    /// under the parent (except those of containers it recorded, which `reattach()` takes
    /// over), and makes this process the reaper of its tasks' orphans.
    public init(settings: SupervisorSettings) throws(SupervisorError) {
        self.settings = settings
        (updates, continuation) = AsyncStream.makeStream(of: AllocationUpdate.self, bufferingPolicy: .bufferingNewest(4096))
        do {
            try FileIO.makeDirectories(settings.dataDirectory + "/alloc")
        } catch {
            throw SupervisorError(.io, "cannot create the data directory: \(error)")
        }
        // The driver first: the containers a previous agent left running keep their cgroups.
        let driver: OCIDriver?
        do {
            driver = try OCIDriver(settings: settings) { message in
                // Operators need to know when the agent changed the host's cgroup mounts.
                OCIDriver.report(message)
            }
            ociUnavailable = nil
        } catch {
            driver = nil
            ociUnavailable = error.message
        }
        ociDriver = driver
        switch Supervisor.makeBridge(settings) {
        case .success(let bridge):
            bridgeNetwork = bridge
            bridgeUnavailable = nil
        case .failure(let error):
            bridgeNetwork = nil
            bridgeUnavailable = error.message
        }
        let kept = Set(driver?.reattachable.map(\.cgroupName) ?? [])
        if settings.usesCgroups {
            guard let manager = CgroupManager(root: settings.cgroupRoot, parent: settings.cgroupParent) else {
                throw SupervisorError(.cgroups, "no usable cgroup hierarchy under \(settings.cgroupRoot)")
            }
            do {
                try manager.prepareParent()
            } catch {
                throw SupervisorError(.cgroups, "cannot manage cgroups (\(error)); run the agent as root or without cgroups")
            }
            cgroups = manager
            cgroupVersion = manager.layout.version
            for name in manager.taskCgroupNames() where !kept.contains(name) {
                if let stale = manager.existing(name: name) {
                    ProcessReaper.shared.adopt(stale.killAll())
                    try? stale.remove()
                }
            }
        } else {
            cgroups = nil
            cgroupVersion = nil
        }
        ProcessReaper.becomeSubreaper()
    }

    /// Takes over the containers a previous agent on this data directory left (see `detach`):
    /// one runner per allocation, rebuilt from the containers' records. Running containers are
    /// reported running again, ended ones with their exit status, vanished ones as failed.
    /// Call it once, right after `init`, before allocations arrive from the managers (an
    /// allocation that arrives later finds its runner and is not started twice).
    @discardableResult
    public func reattach() async -> [AllocationID] {
        guard let ociDriver else { return [] }
        var byAllocation: [AllocationID: [OCIContainerRecord]] = [:]
        for record in ociDriver.reattachable { byAllocation[record.allocation.id, default: []].append(record) }
        // Networks of allocations the previous agent ran and nobody takes over are removed.
        bridgeNetwork?.detachAll(except: Set(byAllocation.keys.map(\.uuid)))
        var started: [AllocationID] = []
        for (id, records) in byAllocation.sorted(by: { $0.key < $1.key }) where runners[id] == nil {
            guard let allocation = records.first?.allocation, runners.count < Self.maximumAllocations else { continue }
            startHousekeeping()
            let continuation = continuation
            let runner = AllocationRunner(
                allocation: allocation, settings: settings, cgroups: cgroups, oci: ociDriver, bridge: bridgeNetwork,
                reattaching: Dictionary(records.map { ($0.task, $0) }, uniquingKeysWith: { first, _ in first })
            ) { update in continuation.yield(update) }
            runners[id] = runner
            await runner.start()
            started.append(id)
        }
        return started
    }

    /// Starts `allocation` unless it is already known (returns before its tasks are spawned;
    /// watch `updates`); stops it when its desired status is not `run`. Call it again with
    /// newer versions of the allocation as they arrive.
    public func run(_ allocation: Allocation) async {
        if let runner = runners[allocation.id] {
            if allocation.desiredStatus != .run {
                await runner.stop()
            } else {
                await runner.allocationUpdated(allocation)
            }
            return
        }
        guard allocation.desiredStatus == .run, runners.count < Self.maximumAllocations else { return }
        OCIStartTrace.mark(String(allocation.id.uuid.prefix(8)), "handed")
        startHousekeeping()
        let continuation = continuation
        let runner = AllocationRunner(allocation: allocation, settings: settings, cgroups: cgroups, oci: ociDriver, bridge: bridgeNetwork) { update in
            continuation.yield(update)
        }
        runners[allocation.id] = runner
        // Lives until the allocation's first tasks are spawned; run() returns at once so that
        // many allocations start in parallel. A stop that overtakes it is handled by the core.
        Task { await runner.start() }
    }

    private func startHousekeeping() {
        if housekeeping == nil {
            housekeeping = Task { [weak self] in
                // Lives until shutdown() cancels it (or the supervisor is gone).
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.housekeepingInterval)
                    guard let self else { return }
                    await self.adoptTaskProcesses()
                }
            }
        }
    }

    /// Stops the allocation's tasks: kill signal, kill timeout, SIGKILL, cgroups emptied and removed.
    public func stop(_ id: AllocationID) async {
        await runners[id]?.stop()
    }

    /// Waits until nothing of the allocation runs any more.
    public func waitUntilFinished(_ id: AllocationID) async {
        await runners[id]?.waitUntilFinished()
    }

    /// The latest known status of an allocation on this worker.
    public func status(of id: AllocationID) async -> AllocationUpdate? {
        await runners[id]?.latest
    }

    /// The pid of a task's main process while it runs (tests, diagnostics).
    func runnerPID(_ id: AllocationID, task: String) async -> Int32? {
        await runners[id]?.pid(of: task)
    }

    /// The allocations this worker knows.
    public func allocationIDs() -> [AllocationID] { runners.keys.sorted() }

    /// Forgets a finished allocation and deletes its directory (logs included). Returns false
    /// when it still runs.
    @discardableResult
    public func forget(_ id: AllocationID) async -> Bool {
        guard let runner = runners[id] else { return true }
        guard await runner.isFinished else { return false }
        runners[id] = nil
        FileIO.removeTree(runner.directory.path)
        return true
    }

    func adoptTaskProcesses() async {
        for runner in runners.values where !(await runner.isFinished) {
            await runner.adoptTaskProcesses()
        }
    }

    /// What an agent that will start again on the same data directory calls instead of
    /// `shutdown()`: service and system allocations made of containers keep running (with their
    /// cgroups and records, for `reattach()` of the next agent); every other allocation is
    /// stopped as by `shutdown()`. Returns the allocations left running.
    @discardableResult
    public func detach() async -> [AllocationID] {
        housekeeping?.cancel()
        housekeeping = nil
        ociDriver?.discardStandby()
        var left: [AllocationID] = []
        var stopping: [AllocationRunner] = []
        for (id, runner) in runners.sorted(by: { $0.key < $1.key }) {
            if await runner.detach() {
                left.append(id)
            } else {
                await runner.stop()
                stopping.append(runner)
            }
        }
        for runner in stopping { await runner.waitUntilFinished() }
        if left.isEmpty {
            cgroups?.removeParentIfEmpty()
            if ociDriver != nil, settings.usesCgroups { OCIDriver.removeRuntimeCgroupParents(root: settings.cgroupRoot, parent: settings.cgroupParent) }
        }
        continuation.finish()
        return left
    }

    /// Stops every allocation and waits until all their processes and cgroups are gone.
    public func shutdown() async {
        housekeeping?.cancel()
        housekeeping = nil
        ociDriver?.discardStandby()
        let all = Array(runners.values)
        for runner in all { await runner.stop() }
        for runner in all { await runner.waitUntilFinished() }
        cgroups?.removeParentIfEmpty()
        if ociDriver != nil, settings.usesCgroups { OCIDriver.removeRuntimeCgroupParents(root: settings.cgroupRoot, parent: settings.cgroupParent) }
        continuation.finish()
    }

    /// A reader of a task's stdout or stderr files, for `alloc logs` (offsets survive rotation).
    public func logReader(allocation id: AllocationID, task: String, stream: LogStream) throws(SupervisorError) -> LogFileReader {
        guard let runner = runners[id] else { throw SupervisorError(.unknownAllocation, "allocation \(id) is not on this node") }
        guard let spec = runner.allocation.group?.tasks.first(where: { $0.name == task }) else {
            throw SupervisorError(.unknownTask, "allocation \(id.short) has no task \"\(task)\"")
        }
        let maxBytes = min(max(spec.logs.maxFileSizeMiB, 1), settings.maximumLogFileSizeMiB) << 20
        return LogFileReader(
            directory: runner.directory.logsDirectory, baseName: "\(CgroupNames.component(task)).\(stream.rawValue)",
            maxFileBytes: maxBytes
        )
    }

    /// A task's output from `offset` on, as it is written (`alloc logs -f`), across rotation.
    /// Ends when the consumer stops iterating or, with `untilFinished`, once the allocation
    /// finished and all its output was delivered.
    public func followLogs(
        allocation id: AllocationID, task: String, stream: LogStream, from offset: Int64, untilFinished: Bool = false
    ) throws(SupervisorError) -> AsyncStream<(bytes: [UInt8], next: Int64)> {
        let reader = try logReader(allocation: id, task: task, stream: stream)
        guard untilFinished, let runner = runners[id] else { return reader.follow(from: offset) }
        return reader.follow(from: offset) { await runner.logsComplete }
    }

    /// The allocation directory of an allocation this worker runs.
    public nonisolated func directory(of id: AllocationID) -> AllocationDirectory {
        AllocationDirectory(dataDirectory: settings.dataDirectory, allocationID: id)
    }

    /// The bridge when this agent can build one (`BridgeNetwork.tools`).
    static func makeBridge(_ settings: SupervisorSettings) -> Result<BridgeNetwork, BridgeNetworkError> {
        BridgeNetwork.make(settings.bridgeNetwork ?? BridgeNetworkSettings(recordDirectory: settings.dataDirectory + "/network"))
    }
}
