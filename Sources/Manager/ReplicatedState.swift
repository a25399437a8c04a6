import ClusterModel
import StateStore

/// The manager's copy of the cluster state and the only way to change it: every write is a
/// `StateCommand` given the next index. Today the command is applied at once (one manager);
/// with Raft, `submit` will propose it and return once it is committed and applied, and the
/// callers do not change.
///
/// Reads take a snapshot (the store is a value; copying it is cheap and later writes do not
/// disturb it). Blocking queries wait here for a table's index to pass the one they saw.
actor ReplicatedState {
    private var store = StateStore()
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

    var snapshot: StateStore { store }

    /// Applies one command at the next index.
    func submit(_ command: StateCommand) -> Result<ApplyOutcome, StateError> {
        let outcome = store.apply(command, index: store.latestIndex + 1)
        wakeWaiters()
        return outcome
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
        tables.contains { store.index(of: $0) > index }
    }

    private func expire(_ id: Int) {
        guard let position = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: position).continuation.resume()
    }

    private func wakeWaiters() {
        guard !waiters.isEmpty else { return }
        var still: [Waiter] = []
        for waiter in waiters {
            if hasChanged(waiter.tables, after: waiter.index) {
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
