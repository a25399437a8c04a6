// Measures the Raft write-ahead log: 1 KiB entries appended by 1, 16 and 64 concurrent
// writers with group commit and real syncs; prints entries/s and p50/p99 latency, and the
// raw sync latency of the disk under the data directory.
//
//   RaftWALBench bench [--dir DIR] [--seconds S] [--size BYTES] [--concurrency 1,16,64] [--sealed]
//     (--sealed: records encrypted at rest with a random data key, as servers write them)
//   RaftWALBench crash-writer DIR [KEYFILE]   (used by RaftRuntimeTests: appends until killed
//                                      and prints "acked <index>" once each append is durable;
//                                      sealed with the data key in KEYFILE when given)
import Foundation
import Glibc
import Raft
import RaftRuntime
import Synchronization

func payload(for index: UInt64, size: Int) -> [UInt8] {
    (0..<size).map { UInt8(truncatingIfNeeded: Int(index) &* 131 &+ $0) }
}

/// The next log index, shared by the writers: assigned and submitted under one lock so that
/// the log sees consecutive indexes.
final class IndexCounter: Sendable {
    let value = Mutex<UInt64>(0)
}

func option(_ name: String, _ fallback: String) -> String {
    let arguments = CommandLine.arguments
    guard let position = arguments.firstIndex(of: name), position + 1 < arguments.count else { return fallback }
    return arguments[position + 1]
}

func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
}

func milliseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1000 + Double(attoseconds) / 1e15
}

/// Raw disk: 1 KiB write + fdatasync, 200 times.
func measureSyncLatency(directory: String, size: Int) -> (p50: Double, p99: Double) {
    let path = directory + "/sync-probe"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    defer {
        close(fd)
        unlink(path)
    }
    let block = [UInt8](repeating: 0x5A, count: size)
    var samples: [Double] = []
    for _ in 0..<200 {
        let start = ContinuousClock.now
        _ = block.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        _ = fdatasync(fd)
        samples.append(milliseconds(ContinuousClock.now - start))
    }
    samples.sort()
    return (percentile(samples, 0.5), percentile(samples, 0.99))
}

func runBench() async throws {
    let base = option("--dir", FileManager.default.temporaryDirectory.path + "/roost-wal-bench-\(getpid())")
    let seconds = Double(option("--seconds", "3")) ?? 3
    let size = Int(option("--size", "1024")) ?? 1024
    let levels = option("--concurrency", "1,16,64").split(separator: ",").compactMap { Int($0) }
    try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: base) }

    let sync = measureSyncLatency(directory: base, size: size)
    print("disk: \(size) B write + fdatasync  p50 \(String(format: "%.3f", sync.p50)) ms  p99 \(String(format: "%.3f", sync.p99)) ms")
    print("concurrency  entries/s  p50 ms  p99 ms  syncs  entries/sync")
    for concurrency in levels {
        let directory = base + "/c\(concurrency)"
        var settings = WriteAheadLogSettings()
        if CommandLine.arguments.contains("--sealed") { settings.atRestKey = AtRestKey.generate() }
        let (log, _) = try GroupCommitLog.open(directory: directory, settings: settings)
        let syncsBefore = log.syncCount
        let next = IndexCounter()
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(seconds * 1000)))
        let started = ContinuousClock.now
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var samples: [Double] = []
                    while ContinuousClock.now < deadline {
                        let start = ContinuousClock.now
                        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                            next.value.withLock { index in
                                index += 1
                                let entry = LogEntry(term: 1, index: index, kind: .command, data: payload(for: index, size: size))
                                log.submit([entry]) { error in
                                    if let error { continuation.resume(throwing: error) } else { continuation.resume() }
                                }
                            }
                        }
                        samples.append(milliseconds(ContinuousClock.now - start))
                    }
                    return samples
                }
            }
            var all: [Double] = []
            for try await samples in group { all += samples }
            return all.sorted()
        }
        let elapsed = milliseconds(ContinuousClock.now - started) / 1000
        let syncs = log.syncCount - syncsBefore
        try await log.close()
        let rate = Double(latencies.count) / elapsed
        print(
            String(
                format: "%11d  %9.0f  %6.3f  %6.3f  %5d  %12.1f", concurrency, rate, percentile(latencies, 0.5),
                percentile(latencies, 0.99), syncs, Double(latencies.count) / Double(max(1, syncs))))
    }
}

/// Writes a line straight to standard output (unbuffered: the reader must see it before the kill).
func emit(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}

/// Appends batches of entries forever, printing the last durable index after each.
func runCrashWriter(directory: String, keyFile: String?) async throws {
    var settings = WriteAheadLogSettings()
    if let keyFile { settings.atRestKey = try AtRestKey.loadOrCreate(at: keyFile, createIfMissing: true).key }
    let (log, recovery) = try GroupCommitLog.open(directory: directory, settings: settings)
    var index = recovery.lastIndex
    emit("ready \(index)")
    while true {
        let batch = (1...UInt64(1 + index % 7)).map { offset in
            LogEntry(term: 1, index: index + offset, kind: .command, data: payload(for: index + offset, size: 1 + Int((index + offset) % 3000)))
        }
        try await log.append(batch, hardState: HardState(term: 1, vote: RaftNodeID(1), commit: index))
        index += UInt64(batch.count)
        emit("acked \(index)")
    }
}

switch CommandLine.arguments.dropFirst().first {
case "bench":
    try await runBench()
case "crash-writer" where CommandLine.arguments.count == 3 || CommandLine.arguments.count == 4:
    try await runCrashWriter(directory: CommandLine.arguments[2], keyFile: CommandLine.arguments.count == 4 ? CommandLine.arguments[3] : nil)
default:
    FileHandle.standardError.write(Data("usage: RaftWALBench bench [--dir DIR] [--seconds S] [--size BYTES] [--concurrency 1,16,64] [--sealed] | crash-writer DIR [KEYFILE]\n".utf8))
    exit(64)
}
