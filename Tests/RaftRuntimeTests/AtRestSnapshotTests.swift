import Foundation
import Raft
import Testing

@testable import RaftRuntime

/// Snapshots encrypted at rest: sealed in chunks bound to the snapshot, and skipped (with a
/// line saying why) when they do not authenticate, as a damaged snapshot is.
@Suite("Snapshots encrypted at rest") struct AtRestSnapshotTests {
    static let marker = Array("MARKER-acl-token-name-c41d".utf8)

    static func metadata(_ index: UInt64, term: UInt64 = 2) -> SnapshotMetadata {
        SnapshotMetadata(index: index, term: term, configuration: RaftConfiguration(voters: [RaftNodeID(1), RaftNodeID(2)], learners: []))
    }

    /// Data of several chunks, with the marker repeated through it.
    static let bigData: [UInt8] = (0..<(AtRestSnapshotSealing.chunkSize * 5 / 2)).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        + Array(repeating: marker, count: 100).flatMap { $0 }

    @Test func aSealedSnapshotOfSeveralChunksReadsBackWholeAndShowsNothingOnDisk() throws {
        let scratch = ScratchDirectory()
        let key = AtRestKey.generate()
        let store = try SnapshotStore(directory: scratch.path, atRestKey: key)
        try store.save(Self.metadata(42), data: Self.bigData)
        let file = scratch.bytes(of: SnapshotStore.fileName(Self.metadata(42)))
        #expect(!AtRestLogTests.contains(file, Self.marker))
        #expect(file.count > Self.bigData.count, "the file holds the sealed data")
        let loaded = try #require(try SnapshotStore(directory: scratch.path, atRestKey: key).loadNewest())
        #expect(loaded.metadata == Self.metadata(42) && loaded.data == Self.bigData)
    }

    @Test func aSealedSnapshotWrittenAsAStreamOfPiecesReadsBackWhole() throws {
        let scratch = ScratchDirectory()
        let key = AtRestKey.generate()
        let store = try SnapshotStore(directory: scratch.path, atRestKey: key)
        let writer = try store.beginWrite(Self.metadata(7))
        var expected: [UInt8] = []
        for piece in 0..<40 {
            let bytes = (0..<(piece * 70_001)).map { UInt8(truncatingIfNeeded: piece &+ $0) }
            try writer.append(bytes)
            expected += bytes
        }
        try writer.commit()
        let loaded = try #require(try store.loadNewest())
        #expect(loaded.data == expected)
    }

    @Test(arguments: ["altered", "renamed", "cut at a chunk", "other key"])
    func aSealedSnapshotThatDoesNotAuthenticateIsSkippedWithALineSayingSo(damage: String) throws {
        let scratch = ScratchDirectory()
        let key = AtRestKey.generate()
        let lines = LogLines()
        let store = try SnapshotStore(directory: scratch.path, logger: lines.sink, atRestKey: key)
        try store.save(Self.metadata(10), data: [1, 2, 3])
        try store.save(Self.metadata(20), data: Self.bigData)
        let newest = SnapshotStore.fileName(Self.metadata(20))
        var bytes = scratch.bytes(of: newest)
        var skipped = newest
        switch damage {
        case "altered":
            bytes[bytes.count / 2] ^= 0x08
            scratch.write(bytes, to: newest)
        case "renamed":
            // Presented as a newer snapshot than it is.
            try FileManager.default.removeItem(atPath: scratch.path + "/" + newest)
            skipped = SnapshotStore.fileName(Self.metadata(30))
            scratch.write(bytes, to: skipped)
        case "cut at a chunk":
            // Everything but the last chunk: each remaining chunk is intact.
            let chunk = 4 + AtRestSnapshotSealing.chunkSize + AtRestKey.overhead
            scratch.write(Array(bytes.prefix(AtRestSnapshotSealing.prefix.count + 2 * chunk)), to: newest)
        default:
            let other = try SnapshotStore(directory: scratch.path + "/other", atRestKey: AtRestKey.generate())
            try other.save(Self.metadata(20), data: Self.bigData)
            bytes = scratch.bytes(of: "other/" + newest)
            scratch.write(bytes, to: newest)
        }
        let loaded = try store.loadNewest()
        #expect(loaded?.metadata.index == 10 && loaded?.data == [1, 2, 3])
        #expect(lines.all.count == 1 && lines.all[0].contains(skipped) && lines.all[0].contains("does not open with the data key"), "\(lines.all)")
    }

    @Test func aPlainSnapshotIsNotTakenByAnEncryptedStoreNorASealedOneByAPlainStore() throws {
        let scratch = ScratchDirectory()
        try SnapshotStore(directory: scratch.path).save(Self.metadata(5), data: [5])
        let lines = LogLines()
        #expect(try SnapshotStore(directory: scratch.path, logger: lines.sink, atRestKey: AtRestKey.generate()).loadNewest() == nil)
        #expect(lines.all.count == 1 && lines.all[0].contains("not encrypted"))

        let sealed = ScratchDirectory()
        try SnapshotStore(directory: sealed.path, atRestKey: AtRestKey.generate()).save(Self.metadata(5), data: [5])
        let plainLines = LogLines()
        #expect(try SnapshotStore(directory: sealed.path, logger: plainLines.sink).loadNewest() == nil)
        #expect(plainLines.all.count == 1 && plainLines.all[0].contains("no data key"))
    }

    @Test func openingArbitraryBytesAsASealedSnapshotNeverTraps() {
        var generator = SystemRandomNumberGenerator()
        let key = AtRestKey.generate()
        for _ in 0..<500 {
            let body = (0..<Int.random(in: 0...200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if case .success = AtRestSnapshotSealing.open(AtRestSnapshotSealing.prefix + body, key: key, index: 1, term: 1, maxSize: 1 << 20) {
                Issue.record("random bytes opened as a sealed snapshot")
            }
        }
    }
}
