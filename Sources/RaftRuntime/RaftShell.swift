import Foundation
import Raft
import Synchronization
import Wire

/// Runs one Raft node for real: a timer ticks the pure `RaftInstance`, frames from peers are
/// stepped into it in arrival order, and each `RaftReady` is carried out in the order that
/// keeps Raft safe — persist (WAL, fsync, snapshots), then send, then apply — before
/// `advance`. Proposals and reads wait here until their entry is applied or their read index
/// is reached on this node.
///
/// The actor runs on a thread of its own (`RaftShellExecutor`), which also writes and syncs
/// the log in place. One Ready at a time: while its fsync runs, new proposals and peers'
/// frames gather in the inbox and are taken together by the next turn, so the disk's flush
/// rate bounds batches, not entries (group commit).
public actor RaftShell {
    public nonisolated let id: RaftNodeID
    /// Where peers reach this node.
    public nonisolated let port: Int
    private var instance: RaftInstance
    private let log: WriteAheadLog
    private nonisolated let executor: RaftShellExecutor
    private let snapshots: SnapshotStore
    private let transport: FrameTransport
    private let stateMachine: any RaftStateMachine
    private let settings: RaftShellSettings
    private nonisolated let inbox: RaftShellInbox
    private nonisolated let publishedSoftState: Mutex<RaftSoftState>
    /// Proposals waiting to be applied, by index: tasks here, callbacks (see
    /// `propose(_:completion:)`) in `callbackProposals`.
    private var proposals: [UInt64: (term: UInt64, continuation: CheckedContinuation<[UInt8], any Error>)] = [:]
    private var callbackProposals: [UInt64: (term: UInt64, callback: @Sendable (Result<[UInt8], RaftShellError>) -> Void)] = [:]
    private var reads: [[UInt8]: CheckedContinuation<Void, any Error>] = [:]
    /// The tick at which each pending read was last asked for. ReadIndex requests and their
    /// answers travel as ordinary messages and may be lost (a connection still being set up, a
    /// leader that died); one unanswered for an election timeout is asked again.
    private var readsAskedAt: [[UInt8]: Int] = [:]
    private var ticks = 0
    private var confirmedReads: [(index: UInt64, context: [UInt8])] = []
    private var nextReadContext: UInt64 = 0
    private var processing = false
    private var loops: [Task<Void, Never>] = []
    private var snapshotIndex: UInt64
    private var failure: RaftShellError?
    public private(set) var softState: RaftSoftState
    /// Every change of role, leader or term, in order; the manager starts and stops its
    /// leader-only duties from it.
    public nonisolated let softStateChanges: AsyncStream<RaftSoftState>
    private let softStateContinuation: AsyncStream<RaftSoftState>.Continuation

    /// Opens (or creates) the node's data, restores the state machine from the newest snapshot,
    /// replays the log, and starts ticking and listening.
    public static func start(settings: RaftShellSettings, stateMachine: any RaftStateMachine) async throws -> RaftShell {
        let walDirectory = settings.dataDirectory + "/wal"
        let snapshotDirectory = settings.dataDirectory + "/snapshots"
        try FileManager.default.createDirectory(atPath: walDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: snapshotDirectory, withIntermediateDirectories: true)
        let snapshots = try SnapshotStore(directory: snapshotDirectory, atRestKey: settings.atRestKey)
        var logSettings = WriteAheadLogSettings()
        logSettings.atRestKey = settings.atRestKey
        let (log, recovery) = try WriteAheadLog.open(directory: walDirectory, settings: logSettings)
        if recovery.droppedBytes > 0 {
            // The operator must learn that a torn or corrupt tail was cut, and how much.
            let line = "raft: recovered the log to its last valid record; dropped \(recovery.droppedBytes) bytes (\(recovery.dropReason ?? "torn write"))\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
        var persistent = RaftPersistentState()
        if let (metadata, data) = try snapshots.loadNewest() {
            try stateMachine.restore(data)
            persistent.snapshot = RaftSnapshot(metadata: metadata, data: data)
            persistent.appliedIndex = metadata.index
        }
        persistent.hardState = recovery.hardState
        persistent.entries = recovery.entries.filter { $0.index > (persistent.snapshot?.metadata.index ?? 0) }
        let isEmpty = recovery.entries.isEmpty && persistent.snapshot == nil && recovery.hardState == .empty
        if isEmpty, let voters = settings.bootstrapVoters {
            persistent = .bootstrap(voters: voters)
        }
        let inbox = RaftShellInbox()
        let transport = try FrameTransport(
            localID: settings.raft.id, host: settings.listenHost, port: settings.listenPort, settings: settings.transport,
            channels: settings.channels, diversion: settings.inboundDiversion, handler: { _, frame in inbox.add(frame: frame) })
        for (peer, address) in settings.peers where peer != settings.raft.id {
            transport.setPeer(peer, host: address.host, port: address.port)
        }
        let shell = RaftShell(
            settings: settings, instance: RaftInstance(settings: settings.raft, restoring: persistent), log: log,
            snapshots: snapshots, transport: transport, stateMachine: stateMachine, inbox: inbox)
        await shell.startLoops()
        return shell
    }

    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private init(
        settings: RaftShellSettings, instance: RaftInstance, log: sending WriteAheadLog, snapshots: SnapshotStore,
        transport: FrameTransport, stateMachine: any RaftStateMachine, inbox: RaftShellInbox
    ) {
        self.executor = RaftShellExecutor(name: "raft-\(settings.raft.id)")
        self.settings = settings
        self.id = settings.raft.id
        self.instance = instance
        self.log = log
        self.snapshots = snapshots
        self.transport = transport
        self.port = transport.port
        self.stateMachine = stateMachine
        self.inbox = inbox
        self.softState = instance.softState
        (softStateChanges, softStateContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(64))
        softStateContinuation.yield(instance.softState)
        self.publishedSoftState = Mutex(instance.softState)
        self.snapshotIndex = instance.latestSnapshotMetadata?.index ?? 0
    }

    private func startLoops() {
        let interval = settings.tickInterval
        // Both loops live until `shutdown()` cancels them.
        loops.append(Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await self?.tick()
            }
        })
        let executor = executor
        transport.onInboundConnectionClosed { [inbox] peer in inbox.add(peerGone: peer) }
        inbox.onTurnRequested { [weak self] fromTransport in
            guard let self else { return }
            // A peer's frame arriving while the shell is idle is carried out by the transport
            // thread that read it (a follower's whole append: step, fsync, acknowledge), saving
            // the wakeup of the shell's thread. Client threads never run turns: a turn may
            // fsync, and an event loop or the shared pool must not wait for a disk.
            if fromTransport && executor.runIfIdle({ self.assumeIsolated { $0.process() } }) { return }
            // Starts on the shell's own thread: no stop on the shared pool on the way.
            Task(executorPreference: executor) { await self.process() }
        }
        process()
    }

    // MARK: Client calls

    /// Replicates `command`; returns the state machine's result once it is applied here.
    /// Nonisolated: the proposal waits in the inbox for the loop's next turn, and the caller
    /// resumes straight from `apply` without passing through the actor again.
    public nonisolated func propose(_ command: [UInt8]) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            inbox.add(proposal: RaftShellInbox.Proposal(command: command, waiter: .task(continuation)))
        }
    }

    /// `propose` for callers that are not tasks (an HTTP handler answering from the event
    /// loop): `completion` is called once, on the shell's thread, so it must be quick (hand
    /// the answer to another thread; never wait there).
    public nonisolated func propose(
        _ command: [UInt8], completion: @escaping @Sendable (Result<[UInt8], RaftShellError>) -> Void
    ) {
        inbox.add(proposal: RaftShellInbox.Proposal(command: command, waiter: .callback(completion)))
    }

    /// The role, leader and term as of the loop's last turn, readable without waiting for
    /// the actor (which may be busy with a batch): for answers that only report them.
    public nonisolated var latestSoftState: RaftSoftState { publishedSoftState.withLock { $0 } }

    /// Waits until this node's state reflects every write acknowledged before the call
    /// (ReadIndex): then a read of the local state machine is linearizable. Waits through
    /// elections and lost requests; callers bound the wait.
    public func readBarrier() async throws {
        if let failure { throw failure }
        nextReadContext &+= 1
        var context: [UInt8] = []
        withUnsafeBytes(of: nextReadContext.bigEndian) { context.append(contentsOf: $0) }
        // With no leader known (an election under way) the read waits like one whose request
        // was lost: it is asked at the next tick, and again until a leader confirms it. The
        // caller bounds the wait.
        let askedAt = instance.readIndex(context: context) == .pending ? ticks : ticks - settings.raft.electionTimeoutTicks
        try await withCheckedThrowingContinuation { continuation in
            reads[context] = continuation
            readsAskedAt[context] = askedAt
            Task { self.process() }
        }
    }

    public func transferLeadership(to target: RaftNodeID) {
        _ = instance.transferLeadership(to: target)
        process()
    }

    public var leader: RaftNodeID { instance.leader }
    public var appliedIndex: UInt64 { instance.appliedIndex }

    /// Stops ticking and listening, fails what still waits, and closes the log.
    public func shutdown() async {
        failure = failure ?? .shutDown
        for loop in loops { loop.cancel() }
        loops.removeAll()
        failWaiters(with: .shutDown)
        softStateContinuation.finish()
        await transport.shutdown()
        try? log.close()
        executor.finish()
    }

    // MARK: The loop

    private func tick() {
        instance.tick()
        ticks += 1
        askAgainForUnansweredReads()
        process()
    }

    /// Steps what the inbox gathered since the last turn into the instance.
    private func takeInbox() {
        let (frames, newProposals, peersGone) = inbox.take()
        for peer in peersGone { leaderMayBeGone(peer) }
        for frame in frames {
            // A frame that does not decode is dropped: Raft treats it as a lost message.
            guard let message = try? RaftMessageCodec.decode(frame), message.to == id else { continue }
            instance.step(message)
        }
        for proposal in newProposals {
            if let failure {
                proposal.waiter.fail(failure)
                continue
            }
            switch instance.propose(proposal.command) {
            case .accepted(let index, let term):
                switch proposal.waiter {
                case .task(let continuation): proposals[index] = (term, continuation)
                case .callback(let callback): callbackProposals[index] = (term, callback)
                }
            case .notLeader(let hint): proposal.waiter.fail(.notLeader(leaderHint: hint))
            case .refused(let reason): proposal.waiter.fail(.refused(reason))
            }
        }
    }

    /// The connection from `peer` ended. If `peer` leads, its process may have died (the kernel
    /// closes a dead process's sockets at once): the election clock is moved forward by all
    /// but one tick of the election timeout, so this follower stands within one more random
    /// timeout (0–1 s with the defaults) instead of 1–2 s. The spread is kept, so followers
    /// that all saw the leader go rarely split the vote. If the leader is alive and only
    /// redialing, its next heartbeat resets the clock, and pre-vote keeps a premature
    /// candidate from disturbing anyone. Not done with lease reads, whose safety counts on
    /// nobody being elected within a full election timeout of the leader's last contact.
    private func leaderMayBeGone(_ peer: RaftNodeID) {
        guard !settings.raft.leaseRead, instance.softState.role == .follower, instance.leader == peer else { return }
        for _ in 1..<settings.raft.electionTimeoutTicks where instance.softState.role == .follower { instance.tick() }
    }

    /// Carries out Readies until there is none. Each Ready's writes are synced in place, on the
    /// shell's thread; what arrives meanwhile waits in the inbox for the next turn.
    private func process() {
        guard !processing, failure == nil else { return }
        processing = true
        defer { processing = false }
        while failure == nil {
            takeInbox()
            guard instance.hasReady else { break }
            let ready = instance.ready()
            send(ready.messagesBeforePersist)
            do {
                try persist(ready)
            } catch {
                // A log that cannot be written cannot promise anything: stop taking part.
                failure = .storage("\(error)")
                failWaiters(with: failure!)
                return
            }
            send(ready.messages)
            apply(ready)
            instance.advance(ready)
            if softState != instance.softState {
                softState = instance.softState
                publishedSoftState.withLock { $0 = instance.softState }
                softStateContinuation.yield(softState)
            }
            takeSnapshotIfDue()
        }
    }

    private func persist(_ ready: RaftReady) throws {
        if let snapshot = ready.snapshot {
            try snapshots.save(snapshot.metadata, data: snapshot.data)
            try stateMachine.restore(snapshot.data)
            try log.compact(through: snapshot.metadata.index, term: snapshot.metadata.term)
            snapshotIndex = snapshot.metadata.index
            failProposals(through: snapshot.metadata.index)
        }
        if let truncateAfter = ready.truncateAfter {
            try log.truncateSuffix(after: truncateAfter)
        }
        if !ready.entries.isEmpty || ready.hardState != nil {
            try log.append(ready.entries, hardState: ready.hardState)
        }
        // Syncs only what asks for it: a hard state that only moves the commit index is
        // written but not waited for (see `WriteAheadLog.append`).
        try log.sync()
    }

    private func send(_ messages: [RaftMessage]) {
        for message in messages {
            _ = transport.send(RaftMessageCodec.encode(message), to: message.to)
        }
    }

    private func apply(_ ready: RaftReady) {
        for entry in ready.committedEntries {
            let result = entry.kind == .command ? stateMachine.apply(entry.data, at: entry.index) : []
            if let waiting = takeWaiter(at: entry.index) {
                if waiting.term == entry.term {
                    waiting.waiter.succeed(result)
                } else {
                    waiting.waiter.fail(.lost)
                }
            }
        }
        // A confirmed read may be answered once the state machine has caught up with its index.
        confirmedReads += ready.readStates.map { ($0.index, $0.context) }
        let applied = max(ready.committedEntries.last?.index ?? 0, instance.appliedIndex)
        confirmedReads.removeAll { read in
            guard read.index <= applied else { return false }
            readsAskedAt[read.context] = nil
            reads.removeValue(forKey: read.context)?.resume()
            return true
        }
    }

    private func takeSnapshotIfDue() {
        let applied = instance.appliedIndex
        guard applied >= snapshotIndex + settings.snapshotThreshold else { return }
        let data = stateMachine.snapshot()
        guard let metadata = instance.snapshotTaken(index: applied, data: data) else { return }
        do {
            try snapshots.save(metadata, data: data)
        } catch {
            return  // The log still holds everything; the next threshold tries again.
        }
        snapshotIndex = applied
        let keepFrom = applied > settings.entriesKeptAfterSnapshot ? applied - settings.entriesKeptAfterSnapshot : 0
        guard keepFrom > 0, let term = log.term(at: keepFrom) else { return }
        instance.compact(through: keepFrom)
        // A failure here only leaves old segments on disk: the snapshot covers them.
        try? log.compact(through: keepFrom, term: term)
    }

    private func failProposals(through index: UInt64) {
        for proposalIndex in Array(proposals.keys) + Array(callbackProposals.keys) where proposalIndex <= index {
            takeWaiter(at: proposalIndex)?.waiter.fail(.lost)
        }
    }

    private func takeWaiter(at index: UInt64) -> (term: UInt64, waiter: RaftShellInbox.Waiter)? {
        if let waiting = proposals.removeValue(forKey: index) { return (waiting.term, .task(waiting.continuation)) }
        if let waiting = callbackProposals.removeValue(forKey: index) { return (waiting.term, .callback(waiting.callback)) }
        return nil
    }

    private func failWaiters(with error: RaftShellError) {
        for queued in inbox.close(with: error) { queued.waiter.fail(error) }
        for (_, waiting) in proposals { waiting.continuation.resume(throwing: error) }
        proposals.removeAll()
        for (_, waiting) in callbackProposals { waiting.callback(.failure(error)) }
        callbackProposals.removeAll()
        for (_, waiting) in reads { waiting.resume(throwing: error) }
        reads.removeAll()
        readsAskedAt.removeAll()
    }
}

// MARK: Reads asked again

extension RaftShell {
    func askAgainForUnansweredReads() {
        let patience = settings.raft.electionTimeoutTicks
        for (context, askedAt) in readsAskedAt where ticks - askedAt >= patience {
            // During an election there is nobody to ask: the read keeps waiting (its caller bounds
            // the wait) and is asked again once an election timeout has passed.
            _ = instance.readIndex(context: context)
            readsAskedAt[context] = ticks
        }
    }
}

// MARK: Membership and status

extension RaftShell {
    /// Replicates one membership change; returns once it is applied on this node (the leader).
    public func proposeConfigurationChange(_ change: ConfigurationChange) async throws {
        if let failure { throw failure }
        switch instance.proposeConfigurationChange(change) {
        case .accepted(let index, let term):
            _ = try await withCheckedThrowingContinuation { continuation in
                proposals[index] = (term, continuation)
                Task { self.process() }
            }
        case .notLeader(let hint): throw RaftShellError.notLeader(leaderHint: hint)
        case .refused(let reason): throw RaftShellError.refused(reason)
        }
    }

    /// Where to reach `peer` from now on (a manager learned its address from the replicated
    /// server list).
    public func setPeerAddress(_ peer: RaftNodeID, _ address: PeerAddress) {
        guard peer != id else { return }
        transport.setPeer(peer, host: address.host, port: address.port)
    }

    public var configuration: RaftConfiguration { instance.configuration }
    public var commitIndex: UInt64 { instance.commitIndex }
    public var lastIndex: UInt64 { instance.lastIndex }
    /// How far each follower's log matches the leader's (empty on a follower).
    public var replicationProgress: [RaftNodeID: ReplicationProgress] { instance.replicationProgress }
}
