import Foundation
import Raft
import RaftRuntime
import StateStore
import Synchronization

/// The state every manager replicates: the cluster state (`StateStore`) and the list of
/// managers. Raft's shell feeds it committed commands; a lone dev-mode manager feeds it
/// directly. Either way applying is deterministic, so every manager that applies the same
/// log holds the same state.
///
/// A class behind a mutex rather than an actor because Raft's shell calls it synchronously
/// from its own actor, and readers take cheap copies (the store is a value) from any task.
final class ManagerStateMachine: RaftStateMachine {
    private struct Contents {
        var store = StateStore()
        var servers: [RaftNodeID: ServerEntry] = [:]
        var clusterIdentity: ClusterIdentity?
        var periodicLaunches = PeriodicLaunchTable()
    }

    /// What changed, for whoever waits on it (blocking queries, the address book of the Raft
    /// transport).
    enum Change: Sendable {
        case state(ApplyOutcome)
        case servers([ServerEntry])
    }

    private let contents = Mutex(Contents())
    private let observers = Mutex<[@Sendable (Change) -> Void]>([])

    var store: StateStore { contents.withLock { $0.store } }
    var servers: [ServerEntry] { contents.withLock { $0.servers.values.sorted { $0.id < $1.id } } }
    var clusterIdentity: ClusterIdentity? { contents.withLock { $0.clusterIdentity } }
    var periodicLaunches: PeriodicLaunchTable { contents.withLock { $0.periodicLaunches } }
    /// The store and the launch table read together, so the launcher never sees one newer
    /// than the other.
    var storeAndPeriodicLaunches: (StateStore, PeriodicLaunchTable) { contents.withLock { ($0.store, $0.periodicLaunches) } }

    /// Runs `body` on the current store under the lock, without copying it out: a copy held
    /// while a command applies makes that apply copy every table it writes, so a reader that
    /// needs a figure rather than a snapshot asks here (it delays applies only for `body`).
    func reading<Value>(_ body: (StateStore) -> Value) -> Value {
        contents.withLock { body($0.store) }
    }

    /// `handler` is called after each change, outside the lock, in apply order.
    func observe(_ handler: @escaping @Sendable (Change) -> Void) {
        observers.withLock { $0.append(handler) }
    }

    private func notify(_ change: Change) {
        for handler in observers.withLock({ $0 }) { handler(change) }
    }

    /// A lone manager applies at the next index itself.
    func applyLocally(_ command: ReplicatedCommand) -> Result<ApplyOutcome, StateError> {
        let index = contents.withLock { $0.store.latestIndex + 1 }
        return apply(command, at: index)
    }

    func apply(_ command: ReplicatedCommand, at index: UInt64) -> Result<ApplyOutcome, StateError> {
        let (result, change): (Result<ApplyOutcome, StateError>, Change?) = contents.withLock { contents in
            switch command {
            case .state(let stateCommand):
                let result = contents.store.apply(stateCommand, index: index)
                return (result, try? Change.state(result.get()))
            case .restoreState(let snapshot):
                let result = contents.store.replace(with: snapshot, at: index)
                return (result, try? Change.state(result.get()))
            case .upsertServer(let entry):
                contents.servers[entry.id] = entry
                return (.success(ApplyOutcome(index: index)), .servers(contents.servers.values.sorted { $0.id < $1.id }))
            case .removeServer(let id):
                contents.servers[id] = nil
                return (.success(ApplyOutcome(index: index)), .servers(contents.servers.values.sorted { $0.id < $1.id }))
            case .dispatchJob(let dispatch):
                if let refusal = dispatch.refusal(in: contents.store) { return (.failure(refusal), nil) }
                let result = contents.store.apply(dispatch.registration, index: index)
                return (result, try? Change.state(result.get()))
            case .clusterIdentity(let identityCommand):
                if let refusal = identityCommand.apply(to: &contents.clusterIdentity, at: index) { return (.failure(.invalid(refusal)), nil) }
                return (.success(ApplyOutcome(index: index)), nil)
            case .periodicLaunch(let launch):
                if let refusal = contents.periodicLaunches.refusal(of: launch, in: contents.store) {
                    return (.failure(.invalid(refusal)), nil)
                }
                guard let child = launch.child else {
                    contents.periodicLaunches.record(launch)
                    return (.success(ApplyOutcome(index: index)), nil)
                }
                let result = contents.store.apply(.registerJob(child, evaluation: launch.evaluation, submitTime: launch.launchTime), index: index)
                if case .success = result { contents.periodicLaunches.record(launch) }
                return (result, try? Change.state(result.get()))
            }
        }
        if let change { notify(change) }
        return result
    }

    // MARK: RaftStateMachine

    func apply(_ command: [UInt8], at index: UInt64) -> [UInt8] {
        let result: Result<ApplyOutcome, StateError>
        do {
            result = apply(try Self.decode(command), at: index)
        } catch {
            // Every manager fails to decode the same entry the same way (a newer manager's
            // command in a mixed-version cluster): refused everywhere, the state stays equal.
            result = .failure(.invalid("this manager cannot read the command at index \(index): \(error)"))
        }
        return (try? Array(JSONEncoder().encode(ReplicatedResult(result)))) ?? []
    }

    func snapshot() -> [UInt8] {
        let saved = contents.withLock { ManagerSnapshot(
            state: $0.store.snapshot(), servers: $0.servers.values.sorted { $0.id < $1.id }, clusterIdentity: $0.clusterIdentity,
            periodicLaunches: $0.periodicLaunches) }
        return (try? Array(JSONEncoder().encode(saved))) ?? []
    }

    func restore(_ snapshot: [UInt8]) throws {
        let saved = try JSONDecoder().decode(ManagerSnapshot.self, from: Data(snapshot))
        let servers = contents.withLock { contents in
            contents.store = StateStore(restoring: saved.state)
            contents.servers = Dictionary(saved.servers.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
            contents.clusterIdentity = saved.clusterIdentity
            contents.periodicLaunches = saved.periodicLaunches ?? PeriodicLaunchTable()
            return contents.servers.values.sorted { $0.id < $1.id }
        }
        notify(.state(ApplyOutcome(index: saved.state.latestIndex, changedTables: Set(StateTable.allCases))))
        notify(.servers(servers))
    }

    /// A log entry's bytes: with `binaryPlans`, plans in `PlanEntryCodec`'s binary form (most
    /// of the log by volume); every other command, and plans without it, as JSON.
    static func encode(_ command: ReplicatedCommand, binaryPlans: Bool) throws -> [UInt8] {
        if binaryPlans, let binary = try PlanEntryCodec.encode(command) { return binary }
        return Array(try JSONEncoder().encode(command))
    }

    /// Whether every manager the cluster knows reads binary plan entries (see
    /// `ServerEntry.logFormat`); false while the server list is empty.
    var everyServerReadsBinaryPlans: Bool {
        contents.withLock { !$0.servers.isEmpty && $0.servers.values.allSatisfy(\.readsBinaryPlans) }
    }

    /// Reads either form of entry; the first byte tells them apart, so logs written before the
    /// binary plan form still replay.
    static func decode(_ bytes: [UInt8]) throws -> ReplicatedCommand {
        if PlanEntryCodec.isBinaryPlan(bytes) { return try PlanEntryCodec.decode(bytes) }
        return try JSONDecoder().decode(ReplicatedCommand.self, from: Data(bytes))
    }

    static func decodeResult(_ bytes: [UInt8]) throws -> Result<ApplyOutcome, StateError> {
        try JSONDecoder().decode(ReplicatedResult.self, from: Data(bytes)).asResult
    }
}

/// What a Raft snapshot of a manager holds.
struct ManagerSnapshot: Codable {
    var state: StateSnapshot
    var servers: [ServerEntry]
    /// Absent in snapshots taken before the cluster had one (or by older managers).
    var clusterIdentity: ClusterIdentity?
    /// Absent in snapshots taken before periodic jobs were launched (or by older managers).
    var periodicLaunches: PeriodicLaunchTable?
}
