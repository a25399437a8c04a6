import Foundation
import Glibc
import Raft
import Synchronization

/// A temporary directory removed when the test is done with it.
final class ScratchDirectory {
    let path: String

    init(_ label: String = "roost-raft-runtime") {
        path = FileManager.default.temporaryDirectory.path + "/\(label)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func files(withSuffix suffix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(suffix) }.sorted()
    }

    func bytes(of name: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: path + "/" + name) ?? Data())
    }

    func write(_ bytes: [UInt8], to name: String) {
        _ = FileManager.default.createFile(atPath: path + "/" + name, contents: Data(bytes))
    }
}

/// Collects the lines a component logs.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    var sink: @Sendable (String) -> Void {
        { line in self.lines.withLock { $0.append(line) } }
    }
}

/// Counts file syncs; optionally holds the first one until released, so a test can line up
/// concurrent writers behind it without timing.
final class SyncCounter: Sendable {
    private let state = Mutex((count: 0, gateUsed: false))
    private let gate: DispatchSemaphore?
    private let entered = DispatchSemaphore(value: 0)

    init(holdFirstSync: Bool = false) {
        gate = holdFirstSync ? DispatchSemaphore(value: 0) : nil
    }

    var count: Int { state.withLock { $0.count } }

    var hook: @Sendable (Int32) -> Int32 {
        { descriptor in
            let hold = self.state.withLock { state -> Bool in
                state.count += 1
                defer { state.gateUsed = true }
                return !state.gateUsed
            }
            if hold, let gate = self.gate {
                self.entered.signal()
                gate.wait()
            }
            return fdatasync(descriptor)
        }
    }

    /// Blocks until the held first sync has started.
    func waitForHeldSync() { entered.wait() }

    func release() { gate?.signal() }
}

func entry(_ index: UInt64, term: UInt64 = 1, size: Int = 16) -> LogEntry {
    LogEntry(term: term, index: index, kind: .command, data: payload(for: index, term: term, size: size))
}

/// Deterministic content, so that a recovered entry can be checked byte for byte.
func payload(for index: UInt64, term: UInt64, size: Int) -> [UInt8] {
    (0..<size).map { UInt8(truncatingIfNeeded: Int(index) &* 31 &+ Int(term) &* 7 &+ $0) }
}

func entries(_ range: ClosedRange<UInt64>, term: UInt64 = 1, size: Int = 16) -> [LogEntry] {
    range.map { entry($0, term: term, size: size) }
}

/// A mutex-guarded value that escaping closures can share.
final class Shared<Value: Sendable>: Sendable {
    let value: Mutex<Value>

    init(_ initial: Value) {
        value = Mutex(initial)
    }
}
