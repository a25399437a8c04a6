import Foundation
import Raft
import Testing

@testable import RaftRuntime

@Suite("Snapshot store") struct SnapshotStoreTests {
    static let configuration = RaftConfiguration(voters: [RaftNodeID(1), RaftNodeID(2), RaftNodeID(3)], learners: [RaftNodeID(9)])

    static func metadata(_ index: UInt64, term: UInt64 = 2) -> SnapshotMetadata {
        SnapshotMetadata(index: index, term: term, configuration: configuration)
    }

    @Test func aSavedSnapshotLoadsBackWithItsMetadataAndData() throws {
        let scratch = ScratchDirectory()
        let store = try SnapshotStore(directory: scratch.path)
        #expect(try store.loadNewest() == nil)
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try store.save(Self.metadata(42), data: data)
        let loaded = try #require(try SnapshotStore(directory: scratch.path).loadNewest())
        #expect(loaded.metadata == Self.metadata(42))
        #expect(loaded.data == data)
    }

    @Test func aSnapshotWrittenInChunksIsInvisibleUntilCommittedAndThenReadsBackWhole() throws {
        let scratch = ScratchDirectory()
        let store = try SnapshotStore(directory: scratch.path)
        try store.save(Self.metadata(10), data: [9])
        let writer = try store.beginWrite(Self.metadata(20))
        var expected: [UInt8] = []
        for chunk in 0..<50 {
            let bytes = (0..<(chunk * 37)).map { UInt8(truncatingIfNeeded: chunk &+ $0) }
            try writer.append(bytes)
            expected += bytes
        }
        #expect(try store.loadNewest()?.metadata.index == 10)
        try writer.commit()
        let loaded = try #require(try store.loadNewest())
        #expect(loaded.metadata == Self.metadata(20) && loaded.data == expected)
        #expect(scratch.files(withSuffix: ".tmp").isEmpty)
    }

    @Test func anAbortedOrAbandonedWriteLeavesNothingBehind() throws {
        let scratch = ScratchDirectory()
        let store = try SnapshotStore(directory: scratch.path, maxSize: 100)
        let aborted = try store.beginWrite(Self.metadata(5))
        try aborted.append([1, 2, 3])
        aborted.abort()
        #expect(throws: RaftStorageError.self) { try aborted.commit() }
        do {
            let abandoned = try store.beginWrite(Self.metadata(6))
            try abandoned.append([1])
        }
        let oversize = try store.beginWrite(Self.metadata(7))
        #expect(throws: RaftStorageError.self) { try oversize.append([UInt8](repeating: 0, count: 101)) }
        #expect(scratch.files(withSuffix: ".tmp").isEmpty && store.snapshotNames().isEmpty)
        #expect(try store.loadNewest() == nil)
    }

    @Test func onlyTheNewestTwoSnapshotsAreKept() throws {
        let scratch = ScratchDirectory()
        let store = try SnapshotStore(directory: scratch.path)
        for index in [10, 20, 30, 40] as [UInt64] { try store.save(Self.metadata(index), data: [UInt8(index)]) }
        #expect(store.snapshotNames() == [SnapshotStore.fileName(Self.metadata(30)), SnapshotStore.fileName(Self.metadata(40))])
        #expect(try store.loadNewest()?.metadata.index == 40)
    }

    @Test func aLeftoverTemporaryFileFromAnInterruptedWriteIsIgnoredAndRemoved() throws {
        let scratch = ScratchDirectory()
        do {
            let store = try SnapshotStore(directory: scratch.path)
            try store.save(Self.metadata(10), data: [1, 2, 3])
        }
        // A crash between writing the temp file and renaming it: a newer snapshot, half written.
        let newer = SnapshotStore.encode(Self.metadata(20), data: [4, 5, 6, 7])
        scratch.write(Array(newer.prefix(newer.count / 2)), to: SnapshotStore.fileName(Self.metadata(20)) + ".tmp")
        let lines = LogLines()
        let store = try SnapshotStore(directory: scratch.path, logger: lines.sink)
        #expect(try store.loadNewest()?.metadata.index == 10)
        #expect(scratch.files(withSuffix: ".tmp").isEmpty)
        #expect(lines.all.count == 1 && lines.all[0].contains("interrupted write"))
    }

    @Test func aCorruptNewestSnapshotIsSkippedWithALogLineInFavourOfThePreviousOne() throws {
        let scratch = ScratchDirectory()
        let lines = LogLines()
        let store = try SnapshotStore(directory: scratch.path, logger: lines.sink)
        try store.save(Self.metadata(10), data: [1, 2, 3])
        try store.save(Self.metadata(20), data: [4, 5, 6])
        let newest = SnapshotStore.fileName(Self.metadata(20))
        var bytes = scratch.bytes(of: newest)
        bytes[bytes.count - 6] ^= 0x40
        scratch.write(bytes, to: newest)
        let loaded = try store.loadNewest()
        #expect(loaded?.metadata.index == 10 && loaded?.data == [1, 2, 3])
        #expect(lines.all.count == 1 && lines.all[0].contains(newest) && lines.all[0].contains("checksum"))
    }

    @Test func decodingArbitraryBytesNeverTraps() {
        var generator = SystemRandomNumberGenerator()
        let valid = SnapshotStore.encode(Self.metadata(5), data: [1, 2, 3])
        for length in 0..<valid.count {
            if case .success = SnapshotStore.decode(Array(valid.prefix(length)), maxSize: 1 << 20) {
                Issue.record("a \(length)-byte prefix decoded")
            }
        }
        for _ in 0..<500 {
            let bytes = SnapshotStore.magic + [1] + (0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = SnapshotStore.decode(bytes, maxSize: 1 << 20)
        }
    }
}
