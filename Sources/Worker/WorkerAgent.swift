import ClusterModel
import StateStore
import Supervisor

/// The client role: registers the node, keeps it alive with heartbeats, runs the allocations
/// the managers assign to it through the `Supervisor`, and reports what the tasks do.
///
/// Reports are batched by construction: while one report is on its way, newer changes collect
/// (the newest per allocation wins) and leave together in the next one.
public actor WorkerAgent {
    public nonisolated let node: Node
    private let supervisor: Supervisor
    private let link: any ManagerLink
    private var loops: [Task<Void, Never>] = []
    private var pendingReports: [AllocationID: ClientAllocationUpdate] = [:]
    private var reportWaiter: CheckedContinuation<Void, Never>?
    private var isShutDown = false
    /// The allocation versions already handed to the supervisor, to skip unchanged ones.
    private var seenModifyIndex: [AllocationID: UInt64] = [:]
    /// Allocations a previous agent left running that this one took over, until the managers'
    /// first answer says whether they still exist: those it does not list are stopped.
    private var awaitingConfirmation: Set<AllocationID>

    /// How long one allocation watch waits for a change before asking again.
    static let watchWait: Duration = .seconds(30)

    /// Where the agent says that the managers stopped (or started again) accepting it: an
    /// operator must see "certificate revoked" or "no manager reachable", not silence.
    private let log: @Sendable (String) -> Void
    private var lastProblem: String?

    /// `reattached`: the allocations `Supervisor.reattach()` took over from a previous agent.
    public init(
        node: Node, supervisor: Supervisor, link: any ManagerLink, reattached: [AllocationID] = [],
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.node = node
        self.awaitingConfirmation = Set(reattached)
        self.supervisor = supervisor
        self.link = link
        self.log = log
    }

    /// Logs a problem once (not at every retry), and its end.
    private func note(_ problem: String?) {
        guard problem != lastProblem else { return }
        if let problem {
            log("worker: \(problem)")
        } else if let lastProblem {
            log("worker: the managers accept this node again (after: \(lastProblem))")
        }
        lastProblem = problem
    }

    /// Registers the node (retrying until the managers answer) and starts the heartbeat,
    /// allocation watch and report loops.
    public func start() async {
        await registerUntilAccepted()
        let link = link
        let nodeID = node.id
        loops.append(Task { [weak self] in
            var ttl: Duration = .seconds(10)
            while !Task.isCancelled {
                try? await Task.sleep(for: ttl / 3)
                guard !Task.isCancelled else { return }
                do {
                    ttl = try await link.heartbeat(nodeID)
                    await self?.note(nil)
                } catch {
                    await self?.note("heartbeat refused or lost: \(error)")
                    // The managers forgot the node (a restart of a dev agent): register again.
                    await self?.registerUntilAccepted()
                }
            }
        })
        loops.append(Task { [weak self] in await self?.watchAllocations() })
        loops.append(Task { [weak self] in await self?.pumpSupervisorUpdates() })
        loops.append(Task { [weak self] in await self?.sendReports() })
    }

    /// Stops every task (kill signal, timeout, SIGKILL; cgroups removed), sends the final
    /// reports if the managers still listen, and ends the loops. With `detachingContainers`,
    /// service containers keep running for the next agent on this data directory instead
    /// (`Supervisor.detach()`).
    public func shutDown(detachingContainers: Bool = false) async {
        isShutDown = true
        if detachingContainers {
            await supervisor.detach()
        } else {
            await supervisor.shutdown()
        }
        for loop in loops { loop.cancel() }
        reportWaiter?.resume()
        reportWaiter = nil
        loops.removeAll()
    }

    private func registerUntilAccepted() async {
        var delay: Duration = .milliseconds(100)
        while !isShutDown, !Task.isCancelled {
            do {
                try await link.registerNode(node)
                note(nil)
                return
            } catch {
                note("registration refused or lost: \(error)")
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    private func watchAllocations() async {
        var index: UInt64 = 0
        while !Task.isCancelled, !isShutDown {
            do {
                let (allocations, newIndex) = try await link.allocations(forNode: node.id, since: index, wait: Self.watchWait)
                index = newIndex
                for allocation in allocations where seenModifyIndex[allocation.id] != allocation.modifyIndex {
                    seenModifyIndex[allocation.id] = allocation.modifyIndex
                    guard !isShutDown else { return }
                    if allocation.desiredStatus == .run, allocation.clientStatus.isTerminal { continue }
                    await supervisor.run(allocation)
                }
                await stopUnlisted(keeping: Set(allocations.map(\.id)))
                await forgetCollected(keeping: Set(allocations.map(\.id)))
            } catch {
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// A taken-over allocation the managers do not list was collected (or its job purged) while
    /// no agent ran here: nothing will ever tell this worker to stop it, so it stops now. Its
    /// directory is then forgotten like any collected allocation's.
    private func stopUnlisted(keeping listed: Set<AllocationID>) async {
        guard !awaitingConfirmation.isEmpty else { return }
        for id in awaitingConfirmation.sorted() where !listed.contains(id) {
            log("worker: stopping allocation \(id.short), taken over from the previous agent: the managers no longer list it")
            await supervisor.stop(id)
            seenModifyIndex[id] = seenModifyIndex[id] ?? 0
        }
        awaitingConfirmation.removeAll()
    }

    /// Allocations the managers no longer list were garbage-collected: once nothing of them
    /// runs, their directories (and logs) are deleted, so a long-lived worker's disk does not
    /// fill with old allocations.
    private func forgetCollected(keeping listed: Set<AllocationID>) async {
        for id in seenModifyIndex.keys where !listed.contains(id) {
            if await supervisor.forget(id) { seenModifyIndex[id] = nil }
        }
    }

    private func pumpSupervisorUpdates() async {
        for await update in supervisor.updates {
            pendingReports[update.allocationID] = ClientAllocationUpdate(
                id: update.allocationID, clientStatus: update.clientStatus, clientDescription: update.clientDescription,
                taskStates: update.taskStates, deploymentStatus: update.deploymentStatus)
            reportWaiter?.resume()
            reportWaiter = nil
        }
    }

    private func sendReports() async {
        while !Task.isCancelled {
            if pendingReports.isEmpty {
                if isShutDown { return }
                await withCheckedContinuation { reportWaiter = $0 }
                continue
            }
            let batch = pendingReports
            pendingReports.removeAll()
            do {
                try await link.updateAllocations(batch.values.sorted { $0.id < $1.id })
            } catch {
                // Keep what is newer than the failed batch, put the rest back, try again shortly.
                for (id, report) in batch where pendingReports[id] == nil { pendingReports[id] = report }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }
}
