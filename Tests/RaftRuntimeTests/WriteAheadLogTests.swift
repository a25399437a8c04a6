import Foundation
import Raft
import Testing

@testable import RaftRuntime

@Suite("Write-ahead log") struct WriteAheadLogTests {
    static func settings(segmentSize: Int = 64 << 20, cached: Int = 1024, sync: SyncCounter? = nil) -> WriteAheadLogSettings {
        var settings = WriteAheadLogSettings()
        settings.segmentSize = segmentSize
        settings.cachedEntries = cached
        if let sync { settings.fileSync = sync.hook }
        return settings
    }

    @Test func entriesAndHardStateWrittenAndSyncedAreRecoveredOnReopen() throws {
        let scratch = ScratchDirectory()
        let state = HardState(term: 3, vote: RaftNodeID(2), commit: 7)
        do {
            let (log, recovery) = try WriteAheadLog.open(directory: scratch.path)
            #expect(recovery.entries.isEmpty && recovery.lastIndex == 0 && recovery.hardState == .empty)
            try log.append(entries(1...10, term: 3), hardState: state)
            try log.sync()
            try log.close()
        }
        let (log, recovery) = try WriteAheadLog.open(directory: scratch.path)
        #expect(recovery.entries == entries(1...10, term: 3))
        #expect(recovery.hardState == state)
        #expect(recovery.firstIndex == 1 && recovery.lastIndex == 10 && recovery.droppedBytes == 0)
        #expect(log.term(at: 10) == 3 && log.term(at: 11) == nil)
        try log.append([entry(11, term: 4)])
        #expect(try log.entries(from: 9, through: 11).map(\.index) == [9, 10, 11])
    }

    @Test func entriesBeyondTheCacheAreReadBackFromTheFiles() throws {
        let scratch = ScratchDirectory()
        let (log, _) = try WriteAheadLog.open(directory: scratch.path, settings: Self.settings(segmentSize: 4096, cached: 8))
        try log.append(entries(1...500, size: 40))
        try log.sync()
        #expect(log.segmentPaths.count > 3)
        #expect(try log.entries(from: 1, through: 500) == entries(1...500, size: 40))
        // Entries still in the write buffer read back too.
        try log.append(entries(501...502, size: 40))
        #expect(try log.entries(from: 495, through: 502) == entries(495...502, size: 40))
        #expect(try log.entries(from: 1, through: 500, maxBytes: 100).count == 2)
        try log.close()
        let (reopened, _) = try WriteAheadLog.open(directory: scratch.path, settings: Self.settings(segmentSize: 4096, cached: 8))
        #expect(try reopened.entries(from: 1, through: 502) == entries(1...502, size: 40))
    }

    @Test func aTruncatedSuffixStaysTruncatedAfterReopen() throws {
        let scratch = ScratchDirectory()
        do {
            let (log, _) = try WriteAheadLog.open(directory: scratch.path, settings: Self.settings(segmentSize: 1024))
            try log.append(entries(1...40, term: 1))
            try log.truncateSuffix(after: 25)
            #expect(log.lastIndex == 25)
            try log.append(entries(26...30, term: 2))
            try log.sync()
        }
        let (_, recovery) = try WriteAheadLog.open(directory: scratch.path)
        #expect(recovery.entries == entries(1...25, term: 1) + entries(26...30, term: 2))
    }

    @Test func appendingAtAnEarlierIndexReplacesTheConflictingSuffix() throws {
        let scratch = ScratchDirectory()
        do {
            let (log, _) = try WriteAheadLog.open(directory: scratch.path)
            try log.append(entries(1...10, term: 1))
            try log.append(entries(6...7, term: 2))
            #expect(log.lastIndex == 7)
            try log.sync()
        }
        let (_, recovery) = try WriteAheadLog.open(directory: scratch.path)
        #expect(recovery.entries == entries(1...5, term: 1) + entries(6...7, term: 2))
    }

    @Test func appendsThatLeaveAGapOrRewriteTheSnapshotAreRefusedWithoutDamage() throws {
        let scratch = ScratchDirectory()
        let (log, _) = try WriteAheadLog.open(directory: scratch.path)
        try log.append(entries(1...5))
        #expect(throws: RaftStorageError.self) { try log.append([entry(7)]) }
        #expect(throws: RaftStorageError.self) { try log.append([entry(6), entry(8)]) }
        try log.compact(through: 3, term: 1)
        #expect(throws: RaftStorageError.self) { try log.append([entry(3)]) }
        #expect(throws: RaftStorageError.self) { try log.truncateSuffix(after: 2) }
        #expect(log.lastIndex == 5)
        #expect(try log.entries(from: 4, through: 5) == entries(4...5))
    }

    @Test func compactionDeletesOnlySegmentsWhoseEntriesAreAllCovered() throws {
        let scratch = ScratchDirectory()
        let state = HardState(term: 1, vote: RaftNodeID(1), commit: 90)
        do {
            let (log, _) = try WriteAheadLog.open(directory: scratch.path, settings: Self.settings(segmentSize: 1024))
            // 100 records of 59 bytes: a segment is closed once past 1 KiB, so 18 per segment.
            try log.append(entries(1...100, size: 33), hardState: state)
            try log.sync()
            let before = scratch.files(withSuffix: ".wal")
            #expect(before.count == 6)
            let firstOfSegment = before.map { UInt64($0.split(separator: "-")[1].dropLast(4), radix: 16) ?? 0 }
            // Index 40 is inside the third segment: only the first two are fully covered.
            #expect(firstOfSegment[2] <= 40 && firstOfSegment[3] > 40)
            try log.compact(through: 40, term: 1)
            #expect(scratch.files(withSuffix: ".wal") == Array(before.dropFirst(2)))
            #expect(log.firstIndex == 41 && log.term(at: 40) == 1 && log.term(at: 39) == nil)
            #expect(try log.entries(from: 1, through: 45).map(\.index) == Array(41...45))
        }
        let (_, recovery) = try WriteAheadLog.open(directory: scratch.path)
        #expect(recovery.snapshotIndex == 40 && recovery.snapshotTerm == 1)
        #expect(recovery.entries == entries(41...100, size: 33))
        #expect(recovery.hardState == state)
    }

    @Test func theHardStateSurvivesWhenTheSegmentThatLastChangedItIsCompactedAway() throws {
        let scratch = ScratchDirectory()
        let state = HardState(term: 5, vote: RaftNodeID(3), commit: 10)
        do {
            let (log, _) = try WriteAheadLog.open(directory: scratch.path, settings: Self.settings(segmentSize: 512))
            try log.append(entries(1...10, term: 5), hardState: state)
            try log.append(entries(11...60, term: 5))
            try log.compact(through: 59, term: 5)
            #expect(!scratch.files(withSuffix: ".wal").contains { $0.hasPrefix("0000000000000001-") })
        }
        let (_, recovery) = try WriteAheadLog.open(directory: scratch.path)
        #expect(recovery.hardState == state)
        #expect(recovery.entries == [entry(60, term: 5)])
    }

    @Test func aSnapshotPastTheEndEmptiesTheLogAndAppendsContinueAfterIt() throws {
        let scratch = ScratchDirectory()
        do {
            let (log, _) = try WriteAheadLog.open(directory: scratch.path)
            try log.append(entries(1...5))
            try log.compact(through: 100, term: 7)
            #expect(log.lastIndex == 100 && log.firstIndex == 101)
            try log.append([entry(101, term: 7)])
            try log.sync()
        }
        let (_, recovery) = try WriteAheadLog.open(directory: scratch.path)
        #expect(recovery.snapshotIndex == 100 && recovery.snapshotTerm == 7)
        #expect(recovery.entries == [entry(101, term: 7)])
    }
}
