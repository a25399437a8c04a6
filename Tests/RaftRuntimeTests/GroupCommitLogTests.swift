import Foundation
import Raft
import Synchronization
import Testing

@testable import RaftRuntime

@Suite("Group commit") struct GroupCommitLogTests {
    /// Waits (without assuming any timing) until `condition` holds.
    static func eventually(_ condition: () -> Bool) async throws {
        while !condition() { try await Task.sleep(for: .milliseconds(1)) }
    }

    /// A group-commit log whose first fsync blocks until the test releases it, with the count
    /// of fsyncs. The log is created beforehand, so opening it needs no directory sync.
    static func openWithFirstSyncHeld(in scratch: ScratchDirectory) throws -> (GroupCommitLog, SyncCounter) {
        try WriteAheadLog.open(directory: scratch.path).log.close()
        let syncs = SyncCounter(holdFirstSync: true)
        var settings = WriteAheadLogSettings()
        settings.fileSync = syncs.hook
        return (try GroupCommitLog.open(directory: scratch.path, settings: settings).log, syncs)
    }

    @Test func manyTasksAwaitingDurableAppendsAreCoveredByFewerSyncsThanTasks() async throws {
        let scratch = ScratchDirectory()
        let (log, syncs) = try Self.openWithFirstSyncHeld(in: scratch)
        let writers = 64
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await log.append([], hardState: HardState(term: 1)) }
            // The first writer's sync is held on the I/O thread while all the others queue up.
            try await Self.eventually { syncs.count == 1 }
            for term in 2...writers {
                group.addTask { try await log.append([], hardState: HardState(term: UInt64(term))) }
            }
            try await Self.eventually { log.queuedRequestCount == writers - 1 }
            syncs.release()
            try await group.waitForAll()
        }
        #expect(syncs.count == 2, "\(writers) appenders needed \(syncs.count) syncs")
        try await log.close()
    }

    @Test func writersQueuedBehindAHeldSyncAreAllCoveredByExactlyOneMoreSync() async throws {
        let scratch = ScratchDirectory()
        let (log, syncs) = try Self.openWithFirstSyncHeld(in: scratch)
        #expect(syncs.count == 0)
        let writers = 16
        let next = Shared<UInt64>(0)
        let completions = Shared(0)
        let done = DispatchSemaphore(value: 0)
        func submitNext() {
            next.value.withLock { index in
                index += 1
                log.submit([entry(index)], hardState: HardState(term: 1, vote: .none, commit: index)) { error in
                    #expect(error == nil)
                    completions.value.withLock { $0 += 1 }
                    done.signal()
                }
            }
        }
        submitNext()
        syncs.waitForHeldSync()
        for _ in 1..<writers { submitNext() }
        #expect(log.queuedRequestCount == writers - 1)
        syncs.release()
        for _ in 0..<writers { done.wait() }
        #expect(syncs.count == 2)
        #expect(log.hardState.commit == UInt64(writers))
        try await log.close()
    }

    @Test func readsSeeAppendedEntriesAndTruncationAndCompactionAreDurableWhenTheyReturn() async throws {
        let scratch = ScratchDirectory()
        var settings = WriteAheadLogSettings()
        settings.segmentSize = 1024
        do {
            let (log, _) = try GroupCommitLog.open(directory: scratch.path, settings: settings)
            try await log.append(entries(1...50), hardState: HardState(term: 1, vote: RaftNodeID(1), commit: 40))
            #expect(try log.entries(from: 48, through: 60).map(\.index) == [48, 49, 50])
            try await log.truncateSuffix(after: 45)
            try await log.compact(through: 30, term: 1)
            #expect(log.firstIndex == 31 && log.lastIndex == 45)
            try await log.close()
            await #expect(throws: RaftStorageError.self) { try await log.append([entry(46)]) }
        }
        let (_, recovery) = try WriteAheadLog.open(directory: scratch.path, settings: settings)
        #expect(recovery.snapshotIndex == 30 && recovery.entries == entries(31...45))
        #expect(recovery.hardState.commit == 40)
    }

    @Test func aFailedSyncFailsEveryWriterOfTheBatchAndTheLogRefusesMore() async throws {
        let scratch = ScratchDirectory()
        try WriteAheadLog.open(directory: scratch.path).log.close()
        var settings = WriteAheadLogSettings()
        settings.fileSync = { _ in
            errno = EIO
            return -1
        }
        let (log, _) = try GroupCommitLog.open(directory: scratch.path, settings: settings)
        await #expect(throws: RaftStorageError.self) { try await log.append([entry(1)]) }
        await #expect(throws: RaftStorageError.self) { try await log.append([entry(2)]) }
        try? await log.close()
    }
}
