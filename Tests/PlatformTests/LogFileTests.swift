import Synchronization
import Testing

@testable import Platform

@Suite struct LogFileTests {
    @Test func filesRotateAtTheSizeCapAndOnlyTheNewestAreKept() throws {
        let scratch = ScratchDirectory()
        let writer = try LogFileWriter(directory: scratch.path, baseName: "web.stdout", maxFiles: 3, maxFileBytes: 10)
        writer.write(Array("0123456789abcdefghijABCDEFGHIJklmnopqrstKLMNO".utf8))
        writer.closeFile()
        #expect(LogFileReader.indexes(directory: scratch.path, baseName: "web.stdout") == [2, 3, 4])
        #expect(scratch.read("web.stdout.2") == "ABCDEFGHIJ")
        #expect(scratch.read("web.stdout.4") == "KLMNO")
        #expect(FileIO.size(scratch.path + "/web.stdout.3") == 10)
    }

    @Test func aRestartedWriterContinuesTheNewestFile() throws {
        let scratch = ScratchDirectory()
        try LogFileWriter(directory: scratch.path, baseName: "t.stderr", maxFiles: 2, maxFileBytes: 8).write(Array("abc".utf8))
        try LogFileWriter(directory: scratch.path, baseName: "t.stderr", maxFiles: 2, maxFileBytes: 8).write(Array("defghij".utf8))
        #expect(scratch.read("t.stderr.0") == "abcdefgh")
        #expect(scratch.read("t.stderr.1") == "ij")
    }

    @Test func readingFromAnOffsetCrossesFilesAndSkipsRotatedAwayData() throws {
        let scratch = ScratchDirectory()
        let writer = try LogFileWriter(directory: scratch.path, baseName: "web.stdout", maxFiles: 2, maxFileBytes: 4)
        let reader = LogFileReader(directory: scratch.path, baseName: "web.stdout", maxFileBytes: 4)
        writer.write(Array("abcdef".utf8))
        var (bytes, next) = reader.read(from: 0)
        #expect(String(decoding: bytes, as: UTF8.self) == "abcdef")
        #expect(next == 6)
        (bytes, next) = reader.read(from: next)
        #expect(bytes.isEmpty && next == 6)
        writer.write(Array("ghijkl".utf8))  // files 1 (efgh) and 2 (ijkl) remain
        (bytes, next) = reader.read(from: 6)
        #expect(String(decoding: bytes, as: UTF8.self) == "ghijkl")
        #expect(next == 12)
        (bytes, next) = reader.read(from: 0)
        #expect(String(decoding: bytes, as: UTF8.self) == "efghijkl")
        #expect(reader.endOffset() == 12)
    }

    @Test func readsAreBoundedAndNegativeOffsetsStartAtTheBeginning() throws {
        let scratch = ScratchDirectory()
        let writer = try LogFileWriter(directory: scratch.path, baseName: "x", maxFiles: 5, maxFileBytes: 100)
        writer.write(Array(repeating: UInt8(ascii: "z"), count: 250))
        let reader = LogFileReader(directory: scratch.path, baseName: "x", maxFileBytes: 100)
        let (bytes, next) = reader.read(from: -40, limit: 120)
        #expect(bytes.count == 120)
        #expect(next == 120)
        #expect(reader.read(from: Int64.max).bytes.isEmpty)
    }
}

@Suite struct LogFileFollowTests {
    @Test func followingDeliversEverythingWrittenAcrossRotationThenEnds() async throws {
        let scratch = ScratchDirectory()
        let writer = try LogFileWriter(directory: scratch.path, baseName: "f", maxFiles: 3, maxFileBytes: 8)
        let reader = LogFileReader(directory: scratch.path, baseName: "f", maxFileBytes: 8)
        let done = Flag()
        let stream = reader.follow(from: 0, pollInterval: .milliseconds(5)) { done.value }
        let consumer = Task {
            var text = ""
            for await chunk in stream { text += String(decoding: chunk.bytes, as: UTF8.self) }
            return text
        }
        var expected = ""
        for line in 0..<6 {
            let text = "line \(line)\n"  // 7 bytes: the files rotate under the reader
            writer.write(Array(text.utf8))
            expected += text
            // Let the reader catch up before older files are rotated away (3 files × 8 bytes kept).
            let target = Int64(expected.utf8.count)
            let deadline = ContinuousClock.now + .seconds(10)
            while reader.endOffset() < target && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(2))
            }
            try await Task.sleep(for: .milliseconds(15))
        }
        done.set()
        let text = await consumer.value
        #expect(text == expected)
    }

    @Test func aConsumerThatStopsEndsThePolling() async throws {
        let scratch = ScratchDirectory()
        let writer = try LogFileWriter(directory: scratch.path, baseName: "g", maxFiles: 2, maxFileBytes: 100)
        writer.write(Array("hello\n".utf8))
        let reader = LogFileReader(directory: scratch.path, baseName: "g", maxFileBytes: 100)
        var iterator = reader.follow(from: 0, pollInterval: .milliseconds(5)).makeAsyncIterator()
        let first = await iterator.next()
        #expect(first.map { String(decoding: $0.bytes, as: UTF8.self) } == "hello\n")
        #expect(first?.next == 6)
    }
}

/// A boolean shared between the test and the follower's completion check.
final class Flag: Sendable {
    private let storage = Mutex(false)
    var value: Bool { storage.withLock { $0 } }
    func set() { storage.withLock { $0 = true } }
}
