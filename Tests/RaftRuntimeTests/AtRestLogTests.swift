import Foundation
import Raft
import Testing

@testable import RaftRuntime

/// The write-ahead log encrypted at rest: nothing readable on disk, the same replay, and
/// tampering reported instead of being mistaken for a torn write.
@Suite("Write-ahead log encrypted at rest") struct AtRestLogTests {
    static let marker = Array("MARKER-registered-job-7f3a".utf8)

    static func settings(_ key: AtRestKey?, segmentSize: Int = 64 << 20, cached: Int = 1024) -> WriteAheadLogSettings {
        var settings = WriteAheadLogSettings()
        settings.atRestKey = key
        settings.segmentSize = segmentSize
        settings.cachedEntries = cached
        return settings
    }

    /// Entries whose data carry the marker string.
    static func markedEntries(_ range: ClosedRange<UInt64>, term: UInt64 = 1) -> [LogEntry] {
        range.map { LogEntry(term: term, index: $0, kind: .command, data: marker + Array("#\($0)".utf8)) }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { start in haystack[start..<(start + needle.count)].elementsEqual(needle) }
    }

    @Test func aSealedLogNeverShowsAnEntryOnDiskYetReplaysItAllAfterReopen() throws {
        let scratch = ScratchDirectory()
        let key = AtRestKey.generate()
        let state = HardState(term: 2, vote: RaftNodeID(3), commit: 150)
        do {
            let (log, _) = try WriteAheadLog.open(directory: scratch.path, settings: Self.settings(key, segmentSize: 2048))
            try log.append(Self.markedEntries(1...100), hardState: HardState(term: 1, vote: RaftNodeID(3), commit: 0))
            try log.append(Self.markedEntries(90...200, term: 2), hardState: state)
            try log.compact(through: 40, term: 1)
            try log.close()
        }
        let segments = scratch.files(withSuffix: ".wal")
        #expect(segments.count > 2, "small segments make the log roll, so headers of new segments are sealed too")
        for name in segments {
            #expect(!Self.contains(scratch.bytes(of: name), Self.marker), "\(name) shows the marker in clear")
        }
        // A small cache: most entries are read back from the files (which checks each sealed
        // record at its own offset).
        let (log, recovery) = try WriteAheadLog.open(directory: scratch.path, settings: Self.settings(key, segmentSize: 2048, cached: 4))
        let expected = Self.markedEntries(41...89) + Self.markedEntries(90...200, term: 2)
        #expect(recovery.entries == expected)
        #expect(recovery.hardState == state && recovery.snapshotIndex == 40 && recovery.droppedBytes == 0)
        #expect(try log.entries(from: 41, through: 200) == expected)
    }

    @Test func aSealedRecordAlteredWithAMatchingChecksumIsReportedAsTamperingAndTheLogIsLeftAlone() throws {
        let scratch = ScratchDirectory()
        let key = AtRestKey.generate()
        let name = try writeSealedLog(in: scratch, key: key, count: 20)
        var bytes = scratch.bytes(of: name)
        let recordSize = WALRecord.entry(entry(1)).encodedSize + WALRecord.sealingOverhead
        let tenth = 9 * recordSize
        bytes[tenth + recordSize - 20] ^= 0x01
        Self.fixChecksum(of: &bytes, recordAt: tenth)
        scratch.write(bytes, to: name)
        let error = try #require(throws: RaftStorageError.self) {
            try WriteAheadLog.open(directory: scratch.path, settings: Self.settings(key))
        }
        #expect(error.code == .unauthenticated)
        #expect(error.message.contains("\(name) at offset \(tenth)") && error.message.contains("does not open with the data key"))
        #expect(scratch.bytes(of: name) == bytes, "nothing may be cut on the word of an altered record")
    }

    @Test func aSealedRecordCopiedToAnotherPlaceInTheLogDoesNotOpen() throws {
        let scratch = ScratchDirectory()
        let key = AtRestKey.generate()
        let name = try writeSealedLog(in: scratch, key: key, count: 10)
        var bytes = scratch.bytes(of: name)
        let recordSize = WALRecord.entry(entry(1)).encodedSize + WALRecord.sealingOverhead
        // Entries 3 and 4 swapped: both records are intact, only their places changed.
        let third = Array(bytes[(2 * recordSize)..<(3 * recordSize)])
        let fourth = Array(bytes[(3 * recordSize)..<(4 * recordSize)])
        bytes.replaceSubrange((2 * recordSize)..<(3 * recordSize), with: fourth)
        bytes.replaceSubrange((3 * recordSize)..<(4 * recordSize), with: third)
        scratch.write(bytes, to: name)
        let error = try #require(throws: RaftStorageError.self) {
            try WriteAheadLog.open(directory: scratch.path, settings: Self.settings(key))
        }
        #expect(error.code == .unauthenticated && error.message.contains("offset \(2 * recordSize)"))
    }

    @Test func aLogOpenedWithAnotherKeyIsRefusedWithAnErrorThatNamesTheDataKey() throws {
        let scratch = ScratchDirectory()
        _ = try writeSealedLog(in: scratch, key: AtRestKey.generate(), count: 3)
        let error = try #require(throws: RaftStorageError.self) {
            try WriteAheadLog.open(directory: scratch.path, settings: Self.settings(AtRestKey.generate()))
        }
        #expect(error.code == .unauthenticated)
        #expect(error.message.contains("sealed with another key") && error.message.contains("Start with the data key"))
    }

    @Test func aSealedLogOpenedWithoutAKeyAndAPlainLogOpenedWithOneAreBothRefused() throws {
        let sealed = ScratchDirectory()
        _ = try writeSealedLog(in: sealed, key: AtRestKey.generate(), count: 3)
        let noKey = try #require(throws: RaftStorageError.self) { try WriteAheadLog.open(directory: sealed.path) }
        #expect(noKey.code == .unauthenticated && noKey.message.contains("no data key was given"))

        let plain = ScratchDirectory()
        do {
            let (log, _) = try WriteAheadLog.open(directory: plain.path)
            try log.append(entries(1...3))
            try log.close()
        }
        let plainInSealed = try #require(throws: RaftStorageError.self) {
            try WriteAheadLog.open(directory: plain.path, settings: Self.settings(AtRestKey.generate()))
        }
        #expect(plainInSealed.code == .unauthenticated && plainInSealed.message.contains("not sealed"))
    }

    @Test func aTornSealedTailIsStillCutAndReportedLikeAPlainOne() throws {
        let scratch = ScratchDirectory()
        let key = AtRestKey.generate()
        let name = try writeSealedLog(in: scratch, key: key, count: 5)
        let bytes = scratch.bytes(of: name)
        scratch.write(Array(bytes.dropLast(7)), to: name)
        let (_, recovery) = try WriteAheadLog.open(directory: scratch.path, settings: Self.settings(key))
        #expect(recovery.entries == entries(1...4))
        #expect(recovery.droppedBytes == WALRecord.entry(entry(5)).encodedSize + WALRecord.sealingOverhead - 7)
    }

    /// Writes `count` entries to a sealed log; returns its single segment's name.
    private func writeSealedLog(in scratch: ScratchDirectory, key: AtRestKey, count: UInt64) throws -> String {
        let (log, _) = try WriteAheadLog.open(directory: scratch.path, settings: Self.settings(key))
        try log.append(entries(1...count))
        try log.close()
        let segments = scratch.files(withSuffix: ".wal")
        #expect(segments.count == 1)
        return segments[0]
    }

    /// Recomputes the CRC of the record at `start`, as someone editing the file on purpose would.
    static func fixChecksum(of bytes: inout [UInt8], recordAt start: Int) {
        let length = Int(bytes[start]) | Int(bytes[start + 1]) << 8 | Int(bytes[start + 2]) << 16 | Int(bytes[start + 3]) << 24
        let crc = CRC32C.checksum(Array(bytes[(start + 8)..<(start + WALRecord.headerSize + length)]), continuing: CRC32C.checksum(Array(bytes[start..<(start + 4)])))
        bytes.storeLittleEndian(crc, at: start + 4)
    }
}
