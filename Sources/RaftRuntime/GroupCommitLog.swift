import Dispatch
import Foundation
import Raft
import Synchronization

/// A `WriteAheadLog` shared by many tasks, with group commit: writes from every caller that
/// arrived while the previous sync was running are written together and covered by ONE sync,
/// so throughput grows with the number of concurrent writers instead of being capped at one
/// write per disk flush.
///
/// How: callers enqueue requests and suspend; a dedicated I/O thread (blocking syscalls do not
/// belong on the cooperative pool) takes everything queued, applies it to the log under a
/// lock, syncs once outside the lock (so reads are not held up by the disk), and resumes
/// every caller of the batch. A call returns only once what it wrote is durable: a caller
/// may send the messages that depend on it afterwards, never before.
///
/// `RaftShell` does not go through it: the shell owns its `WriteAheadLog` on its own thread
/// and groups writes per Ready (see `RaftShellExecutor`), which saves two thread hops per
/// Ready. This type serves writers that share one log between tasks.
public final class GroupCommitLog: Sendable {
    enum Operation {
        case append([LogEntry], HardState?)
        case truncateSuffix(after: UInt64)
        case compact(through: UInt64, term: UInt64)
        case sync
        case close
    }

    struct Request {
        var operation: Operation
        var completion: @Sendable (RaftStorageError?) -> Void
    }

    struct Queue {
        var requests: [Request] = []
        var closed = false
    }

    private let log: Mutex<WriteAheadLog>
    private let queue = Mutex(Queue())
    private let wakeup = DispatchSemaphore(value: 0)
    private let fileSync: @Sendable (Int32) -> Int32
    private let stopped = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Opens and recovers the log in `directory` (see `WriteAheadLog.open`) and starts its
    /// I/O thread. Call `close()` to stop the thread.
    public static func open(
        directory: String, settings: WriteAheadLogSettings = WriteAheadLogSettings()
    ) throws(RaftStorageError) -> (log: GroupCommitLog, recovery: WriteAheadLogRecovery) {
        let (log, recovery) = try WriteAheadLog.open(directory: directory, settings: settings)
        return (GroupCommitLog(log, fileSync: settings.fileSync), recovery)
    }

    private init(_ log: sending WriteAheadLog, fileSync: @escaping @Sendable (Int32) -> Int32) {
        self.log = Mutex(log)
        self.fileSync = fileSync
        let thread = Thread { [self] in run() }
        thread.name = "raft-wal"
        thread.start()
    }

    // MARK: Writing (each call returns once its effect is durable)

    /// Appends entries (and the hard state, when given) durably; see `WriteAheadLog.append`.
    public func append(_ entries: [LogEntry], hardState: HardState? = nil) async throws(RaftStorageError) {
        try await perform(.append(entries, hardState))
    }

    /// Removes every entry after `index`, durably.
    public func truncateSuffix(after index: UInt64) async throws(RaftStorageError) {
        try await perform(.truncateSuffix(after: index))
    }

    /// Records the snapshot point and deletes fully covered segments; see `WriteAheadLog.compact`.
    public func compact(through index: UInt64, term: UInt64) async throws(RaftStorageError) {
        try await perform(.compact(through: index, term: term))
    }

    /// Waits until everything submitted before is durable.
    public func sync() async throws(RaftStorageError) {
        try await perform(.sync)
    }

    /// The callback form of `append`: queues the write now (so the order of `submit` calls is
    /// the order on disk) and calls `completion` on the I/O thread once it is durable or has
    /// failed. Lets a caller assign indexes and submit under one lock, or pipeline.
    public func submit(
        _ entries: [LogEntry], hardState: HardState? = nil, completion: @escaping @Sendable (RaftStorageError?) -> Void
    ) {
        enqueue(Request(operation: .append(entries, hardState), completion: completion))
    }

    /// Syncs and closes the log, then stops the I/O thread; later calls fail with `.misuse`.
    public func close() async throws(RaftStorageError) {
        var failure: RaftStorageError?
        do { try await perform(.close) } catch { failure = error }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = stopped.withLock { state -> Bool in
                if !state.done { state.waiters.append(continuation) }
                return state.done
            }
            if done { continuation.resume() }
        }
        if let failure, failure.code != .misuse { throw failure }
    }

    // MARK: Reading (never waits for a sync in progress)
    //
    // Reads see what the I/O thread has applied, which may not be durable yet: a leader may
    // send entries to followers while its own sync runs (Raft allows it), but anything that
    // acknowledges or votes must wait for the durable `append`.

    public func entries(from: UInt64, through: UInt64, maxBytes: Int = .max) throws(RaftStorageError) -> [LogEntry] {
        try log.withLock { log throws(RaftStorageError) in try log.entries(from: from, through: through, maxBytes: maxBytes) }
    }

    public func term(at index: UInt64) -> UInt64? { log.withLock { $0.term(at: index) } }
    public var lastIndex: UInt64 { log.withLock { $0.lastIndex } }
    public var firstIndex: UInt64 { log.withLock { $0.firstIndex } }
    public var hardState: HardState { log.withLock { $0.hardState } }
    /// Files and directories synced so far.
    public var syncCount: Int { log.withLock { $0.syncCount } }
    /// Requests waiting for the I/O thread (tests use it to line up a group).
    public var queuedRequestCount: Int { queue.withLock { $0.requests.count } }

    // MARK: Internals

    private func perform(_ operation: Operation) async throws(RaftStorageError) {
        let outcome: RaftStorageError? = await withCheckedContinuation { continuation in
            enqueue(Request(operation: operation, completion: { continuation.resume(returning: $0) }))
        }
        if let outcome { throw outcome }
    }

    private func enqueue(_ request: Request) {
        let accepted = queue.withLock { queue -> Bool in
            guard !queue.closed else { return false }
            queue.requests.append(request)
            if case .close = request.operation { queue.closed = true }
            return true
        }
        if accepted {
            wakeup.signal()
        } else {
            request.completion(RaftStorageError(.misuse, "the write-ahead log is closed"))
        }
    }

    /// The I/O thread: one batch per round, one sync per batch.
    private func run() {
        var finished = false
        while !finished {
            wakeup.wait()
            let batch = queue.withLock { queue -> [Request] in
                defer { queue.requests.removeAll(keepingCapacity: true) }
                return queue.requests
            }
            guard !batch.isEmpty else { continue }
            var results = [RaftStorageError?](repeating: nil, count: batch.count)
            var closing = false
            let prepared = log.withLock { log -> Result<Int32?, RaftStorageError> in
                for (position, request) in batch.enumerated() {
                    do throws(RaftStorageError) {
                        switch request.operation {
                        case .append(let entries, let hardState): try log.append(entries, hardState: hardState)
                        case .truncateSuffix(let after): try log.truncateSuffix(after: after)
                        case .compact(let index, let term): try log.compact(through: index, term: term)
                        case .sync: break
                        case .close: closing = true
                        }
                    } catch {
                        results[position] = error
                    }
                }
                do throws(RaftStorageError) {
                    return .success(try log.prepareSync())
                } catch {
                    return .failure(error)
                }
            }
            var batchFailure: RaftStorageError?
            switch prepared {
            case .success(let descriptor):
                if let descriptor {
                    let status = fileSync(descriptor) == 0 ? 0 : errno
                    batchFailure = log.withLock { log -> RaftStorageError? in
                        do throws(RaftStorageError) {
                            try log.finishSync(status: status)
                            return nil
                        } catch {
                            return error
                        }
                    }
                }
            case .failure(let error):
                batchFailure = error
            }
            if closing {
                log.withLock { log in _ = try? log.close() }
                finished = true
            }
            for (position, request) in batch.enumerated() {
                request.completion(results[position] ?? batchFailure)
            }
        }
        // Anything queued after the close request is refused.
        let leftovers = queue.withLock { queue -> [Request] in
            defer { queue.requests = [] }
            return queue.requests
        }
        for request in leftovers { request.completion(RaftStorageError(.misuse, "the write-ahead log is closed")) }
        let waiters = stopped.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.done = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
