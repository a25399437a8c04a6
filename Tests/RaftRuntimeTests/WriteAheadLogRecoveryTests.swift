import Foundation
import Raft
import Testing

@testable import RaftRuntime
import TestSupport

@Suite("Write-ahead log recovery") struct WriteAheadLogRecoveryTests {
    /// One data key for the sealed runs of the tests below (each test runs with a plain log and
    /// with a log encrypted at rest: recovery must behave the same).
    static let key = AtRestKey.generate()

    /// Log settings for a plain (`sealed` false) or encrypted-at-rest log.
    static func settings(sealed: Bool) -> WriteAheadLogSettings {
        var settings = WriteAheadLogSettings()
        settings.atRestKey = sealed ? key : nil
        return settings
    }

    /// The size on disk of `record` in a plain or sealed log.
    static func size(of record: WALRecord, sealed: Bool) -> Int {
        record.encodedSize + (sealed ? WALRecord.sealingOverhead : 0)
    }

    /// Writes `count` entries (no hard state) and returns the name of the single segment.
    static func writeLog(in scratch: ScratchDirectory, count: UInt64, size: Int = 16, sealed: Bool = false) throws -> String {
        let (log, _) = try WriteAheadLog.open(directory: scratch.path, settings: settings(sealed: sealed))
        try log.append(entries(1...count, size: size))
        try log.close()
        let segments = scratch.files(withSuffix: ".wal")
        #expect(segments.count == 1)
        return segments[0]
    }

    @Test(arguments: [false, true])
    func aTornLastRecordIsCutAtEveryBytePositionAndEarlierRecordsSurvive(sealed: Bool) throws {
        let scratch = ScratchDirectory()
        let name = try Self.writeLog(in: scratch, count: 5, size: 24, sealed: sealed)
        let complete = scratch.bytes(of: name)
        let recordSize = Self.size(of: .entry(entry(5, size: 24)), sealed: sealed)
        let lastStart = complete.count - recordSize
        for kept in 0..<recordSize {
            scratch.write(Array(complete[..<(lastStart + kept)]), to: name)
            let lines = LogLines()
            var settings = Self.settings(sealed: sealed)
            settings.logger = lines.sink
            let (log, recovery) = try WriteAheadLog.open(directory: scratch.path, settings: settings)
            #expect(recovery.entries == entries(1...4, size: 24), "kept \(kept) bytes of the last record")
            #expect(recovery.droppedBytes == kept, "kept \(kept) bytes of the last record")
            #expect(scratch.bytes(of: name).count == lastStart)
            if kept == 0 {
                #expect(lines.all.isEmpty)
            } else {
                #expect(lines.all.count == 1 && lines.all[0].contains("dropped \(kept) bytes"), "\(lines.all)")
            }
            // The cut log takes new entries where the valid ones end.
            try log.append([entry(5, term: 2, size: 24)])
            try log.close()
            let (_, again) = try WriteAheadLog.open(directory: scratch.path, settings: Self.settings(sealed: sealed))
            #expect(again.entries == entries(1...4, size: 24) + [entry(5, term: 2, size: 24)] && again.droppedBytes == 0)
        }
    }

    @Test(arguments: [false, true])
    func aFlippedBitInTheMiddleOfASegmentCutsTheLogThereWithAReport(sealed: Bool) throws {
        let scratch = ScratchDirectory()
        let name = try Self.writeLog(in: scratch, count: 20, sealed: sealed)
        var bytes = scratch.bytes(of: name)
        let recordSize = Self.size(of: .entry(entry(1)), sealed: sealed)
        let tenthStart = 9 * recordSize
        bytes[tenthStart + recordSize / 2] ^= 0x10
        scratch.write(bytes, to: name)
        let lines = LogLines()
        var settings = Self.settings(sealed: sealed)
        settings.logger = lines.sink
        let (_, recovery) = try WriteAheadLog.open(directory: scratch.path, settings: settings)
        #expect(recovery.entries == entries(1...9))
        #expect(recovery.droppedBytes == bytes.count - tenthStart)
        #expect(recovery.dropReason?.contains("checksum mismatch") == true)
        #expect(lines.all.count == 1 && lines.all[0].contains("dropped \(bytes.count - tenthStart) bytes"))
        #expect(scratch.bytes(of: name).count == tenthStart)
    }

    @Test func corruptionInAnEarlierSegmentSetsTheLaterSegmentsAside() throws {
        let scratch = ScratchDirectory()
        do {
            var settings = WriteAheadLogSettings()
            settings.segmentSize = 1024
            let (log, _) = try WriteAheadLog.open(directory: scratch.path, settings: settings)
            try log.append(entries(1...100))
            try log.close()
        }
        let segments = scratch.files(withSuffix: ".wal")
        #expect(segments.count > 2)
        let laterBytes = segments.dropFirst(2).reduce(0) { $0 + scratch.bytes(of: $1).count }
        var second = scratch.bytes(of: segments[1])
        second[second.count - 3] ^= 0x01
        scratch.write(second, to: segments[1])
        let recordSize = WALRecord.entry(entry(1)).encodedSize
        let (_, recovery) = try WriteAheadLog.open(directory: scratch.path)
        #expect(recovery.droppedBytes == recordSize + laterBytes)
        #expect(scratch.files(withSuffix: ".wal") == Array(segments.prefix(2)))
        #expect(scratch.files(withSuffix: ".corrupt").count == segments.count - 2)
        #expect(recovery.entries.map(\.index) == Array(1...recovery.lastIndex))
    }

    @Test func aZeroFilledTailLeftByTheFileSystemIsCutAway() throws {
        let scratch = ScratchDirectory()
        let name = try Self.writeLog(in: scratch, count: 3)
        let clean = scratch.bytes(of: name)
        scratch.write(clean + [UInt8](repeating: 0, count: 4096), to: name)
        let (_, recovery) = try WriteAheadLog.open(directory: scratch.path)
        #expect(recovery.entries == entries(1...3))
        #expect(recovery.droppedBytes == 4096)
    }

    @Test func aValidRecordOfAnUnknownTypeStopsRecoveryInsteadOfCuttingIt() throws {
        let scratch = ScratchDirectory()
        let name = try Self.writeLog(in: scratch, count: 3)
        // A well-formed record of type 99, as a newer version might write.
        var record: [UInt8] = [8, 0, 0, 0, 0, 0, 0, 0, 99, 1, 2, 3, 4, 5, 6, 7, 8]
        let crc = CRC32C.checksum(Array(record[8...]), continuing: CRC32C.checksum(Array(record[0..<4])))
        record.storeLittleEndian(crc, at: 4)
        let before = scratch.bytes(of: name) + record
        scratch.write(before, to: name)
        #expect(throws: RaftStorageError.self) { try WriteAheadLog.open(directory: scratch.path) }
        #expect(scratch.bytes(of: name) == before)
    }

    @Test(arguments: [false, true])
    func randomDamageAnywhereAlwaysRecoversAPrefixOfWhatWasWritten(sealed: Bool) throws {
        let scratch = ScratchDirectory()
        let name = try Self.writeLog(in: scratch, count: 40, size: 20, sealed: sealed)
        let clean = scratch.bytes(of: name)
        let seeds: [UInt64] = ProcessInfo.processInfo.environment["ROOST_WAL_DAMAGE_SEED"].flatMap { UInt64($0) }.map { [$0] }
            ?? Array(1...200)
        for seed in seeds {
            var random = SplitMix64(state: seed)
            var damaged = clean
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                damaged[Int.random(in: 0..<damaged.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
            }
            if Bool.random(using: &random) { damaged.removeLast(Int.random(in: 0..<damaged.count, using: &random)) }
            scratch.write(damaged, to: name)
            let replay = "ROOST_WAL_DAMAGE_SEED=\(seed) swift test --filter randomDamageAnywhere"
            let (log, recovery) = try WriteAheadLog.open(directory: scratch.path, settings: Self.settings(sealed: sealed))
            #expect(recovery.entries == (0..<recovery.lastIndex).map { entry($0 + 1, size: 20) }, "seed \(seed): \(replay)")
            #expect(recovery.droppedBytes == damaged.count - scratch.bytes(of: name).count, "seed \(seed): \(replay)")
            try log.close()
        }
    }
}
