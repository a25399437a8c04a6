import ClusterModel
import Raft
import RaftRuntime
import StateStore

/// The manager's copy of the cluster state and the only way to change it. A lone manager
/// (dev mode) applies each command at once; a manager in a cluster proposes it to Raft and
/// returns once it is committed and applied here. Callers see the same interface either way.
///
/// Reads take a snapshot (the store is a value; copying it is cheap and later writes do not
/// disturb it). Blocking queries wait here for a table's index to pass the one they saw.
actor ReplicatedState {
    let machine = ManagerStateMachine()
    private var raft: RaftShell?
    private var waiters: [Waiter] = []
    private var nextWaiterID = 0

    /// A bound on parked blocking queries, so many clients cannot exhaust memory; beyond it a
    /// query answers at once with the current state (which is still correct, only not blocking).
    static let maximumWaiters = 10_000

    private struct Waiter {
        let id: Int
        let tables: Set<StateTable>
        let index: UInt64
        let continuation: CheckedContinuation<Void, Never>
    }

    /// Why a command or a consistent read did not go through here.
    enum Failure: Error, Sendable {
        /// Only the leader writes; `leader` is who this manager believes leads (`.none`: nobody yet).
        case notLeader(leader: RaftNodeID)
        /// The command was replaced by another leader's log before it committed: it did not happen.
        case lost
        case refused(StateError)
        case unavailable(String)
        /// The command was proposed but no answer came in time: it may still commit.
        case unknownOutcome(String)
    }

    /// How long a proposal or a read barrier is waited for. Far above a healthy commit (a
    /// millisecond) and an election (1–2 s); reached only by a manager cut off from its peers.
    static let commitWait: Duration = .seconds(15)
    /// How long a consistent read waits for a leader to confirm it: as long as a write waits
    /// for one to be elected.
    static let readWait: Duration = .seconds(7)

    init() {
        machine.observe { [weak self] change in
            guard case .state = change, let self else { return }
            Task { await self.wakeWaiters() }
        }
    }

    /// From now on commands go through Raft.
    func replicate(through raft: RaftShell) {
        self.raft = raft
    }

    var raftShell: RaftShell? { raft }
    var snapshot: StateStore { machine.store }
    var servers: [ServerEntry] { machine.servers }

    /// Applies one command: at once when alone, through Raft otherwise.
    func submit(_ command: ReplicatedCommand) async throws(Failure) -> ApplyOutcome {
        let result: Result<ApplyOutcome, StateError>
        if let raft {
            let encoded: [UInt8]
            do {
                encoded = try ManagerStateMachine.encode(command, binaryPlans: machine.everyServerReadsBinaryPlans)
            } catch {
                throw .unavailable("cannot encode the command: \(error)")
            }
            let answer = try await Self.waitForRaft(
                { try await raft.propose(encoded) }, within: Self.commitWait,
                late: .unknownOutcome("the write was not committed within \(Self.commitWait): this manager may be cut off from the others"))
            do {
                result = try ManagerStateMachine.decodeResult(answer)
            } catch {
                throw .unavailable("cannot read the result of the command: \(error)")
            }
        } else {
            result = machine.applyLocally(command)
            wakeWaiters()
        }
        switch result {
        case .success(let outcome): return outcome
        case .failure(let error): throw .refused(error)
        }
    }

    /// Returns once this manager's state holds every write acknowledged before the call, so a
    /// read of `snapshot` after it is linearizable (Raft's ReadIndex; free when alone).
    func readBarrier() async throws(Failure) {
        guard let raft else { return }
        try await Self.waitForRaft(
            { try await raft.readBarrier() }, within: Self.readWait,
            late: .unavailable("No cluster leader: no leader confirmed the read within \(Self.readWait); a majority of the managers must be up (add ?stale to read this manager's copy)"))
    }

    /// Waits for a Raft call up to `timeout`, mapping the shell's errors to `Failure` and a
    /// late answer to `late`.
    private static func waitForRaft<Value: Sendable>(
        _ call: @escaping @Sendable () async throws -> Value, within timeout: Duration, late: Failure
    ) async throws(Failure) -> Value {
        do {
            guard let value = try await Deadline.run(timeout: timeout, call) else { throw late }
            return value
        } catch let error as Failure {
            throw error
        } catch let error as RaftShellError {
            throw failure(error)
        } catch {
            throw .unavailable("\(error)")
        }
    }

    static func failure(_ error: RaftShellError) -> Failure {
        switch error {
        case .notLeader(let hint): .notLeader(leader: hint)
        case .lost: .lost
        case .refused(let reason): .unavailable("Raft refused the command: \(reason.rawValue)")
        case .shutDown: .unavailable("the manager is shutting down")
        case .storage(let message): .unavailable("this manager cannot write its log: \(message)")
        }
    }

    /// Returns once any of `tables` changed after `index`, or after `timeout`, or at once when
    /// it already has; then the caller reads a fresh snapshot.
    func waitForChange(of tables: Set<StateTable>, after index: UInt64, timeout: Duration) async {
        let hasRoom = waiters.count < ReplicatedState.maximumWaiters
        guard !hasChanged(tables, after: index), hasRoom, timeout > .zero else { return }
        let id = nextWaiterID
        nextWaiterID += 1
        // The timer lives as long as the wait: it resumes the waiter if nothing changed in time
        // and is cancelled when a change resumes it first.
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.expire(id)
        }
        await withCheckedContinuation { continuation in
            waiters.append(Waiter(id: id, tables: tables, index: index, continuation: continuation))
        }
        timer.cancel()
    }

    private func hasChanged(_ tables: Set<StateTable>, after index: UInt64) -> Bool {
        let store = machine.store
        return tables.contains { store.index(of: $0) > index }
    }

    private func expire(_ id: Int) {
        guard let position = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: position).continuation.resume()
    }

    private func wakeWaiters() {
        guard !waiters.isEmpty else { return }
        let store = machine.store
        var still: [Waiter] = []
        for waiter in waiters {
            if waiter.tables.contains(where: { store.index(of: $0) > waiter.index }) {
                waiter.continuation.resume()
            } else {
                still.append(waiter)
            }
        }
        waiters = still
    }

    /// Wakes every parked query (shutdown), so connections can close.
    func releaseAllWaiters() {
        for waiter in waiters { waiter.continuation.resume() }
        waiters.removeAll()
    }
}
