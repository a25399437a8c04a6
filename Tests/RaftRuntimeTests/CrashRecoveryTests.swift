import Foundation
import Glibc
import Raft
import RaftRuntime
import Testing

/// A real writer process (`RaftWALBench crash-writer`) appending with group commit, killed
/// with SIGKILL mid-stream: every append it acknowledged must be recovered, intact.
@Suite("Write-ahead log crash recovery") struct CrashRecoveryTests {
    static let executable: String? = {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            directory.appendingPathComponent("RaftWALBench").path,
            // `swift test` runs a bundle under .build/<config>/; the binary is beside it.
            directory.deletingLastPathComponent().appendingPathComponent("RaftWALBench").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// The writer's deterministic content (see contrib/bench/raft/RaftWALBench).
    static func expectedData(_ index: UInt64) -> [UInt8] {
        (0..<(1 + Int(index % 3000))).map { UInt8(truncatingIfNeeded: Int(index) &* 131 &+ $0) }
    }

    /// Runs the writer until it has acknowledged at least `target` more entries, kills it,
    /// and returns the highest index it acknowledged.
    static func runAndKill(directory: String, keyFile: String?, extra target: UInt64) throws -> (ready: UInt64, acked: UInt64) {
        let executable = try #require(executable, "RaftWALBench is not built (swift build --build-tests builds it)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["crash-writer", directory] + (keyFile.map { [$0] } ?? [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        defer {
            // Ends only the child this test started, by its PID.
            if process.isRunning { kill(pid, SIGKILL) }
            process.waitUntilExit()
        }
        var ready: UInt64?
        var acked: UInt64 = 0
        var pending = ""
        let handle = output.fileHandleForReading
        while ready == nil || acked < ready! + target {
            let chunk = handle.availableData
            if chunk.isEmpty { break }  // the writer died on its own
            pending += String(decoding: chunk, as: UTF8.self)
            while let newline = pending.firstIndex(of: "\n") {
                let line = pending[..<newline].split(separator: " ")
                pending = String(pending[pending.index(after: newline)...])
                if line.count == 2, let value = UInt64(line[1]) {
                    if line[0] == "ready" { ready = value } else if line[0] == "acked" { acked = value }
                }
            }
        }
        kill(pid, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the writer must have been killed, not have exited")
        return (try #require(ready), acked)
    }

    /// With `sealed`, the writer seals its records (encryption at rest) with a key it keeps
    /// in the log's directory: a crash must not cost more than it does for a plain log.
    @Test(arguments: [false, true])
    func everyAppendAcknowledgedBeforeASigkillIsRecoveredIntactAcrossRepeatedCrashes(sealed: Bool) throws {
        let scratch = ScratchDirectory("roost-wal-crash")
        let keyFile = sealed ? scratch.path + "/data.key" : nil
        var previous: UInt64 = 0
        for round in 1...3 {
            let (ready, acked) = try Self.runAndKill(directory: scratch.path, keyFile: keyFile, extra: 400)
            #expect(ready >= previous, "round \(round): the writer restarted below what was acknowledged")
            var settings = WriteAheadLogSettings()
            if let keyFile { settings.atRestKey = try AtRestKey.loadOrCreate(at: keyFile, createIfMissing: false).key }
            let (log, recovery) = try WriteAheadLog.open(directory: scratch.path, settings: settings)
            #expect(recovery.lastIndex >= acked, "round \(round): acknowledged \(acked), recovered \(recovery.lastIndex)")
            #expect(recovery.entries.count == Int(recovery.lastIndex))
            for (position, entry) in recovery.entries.enumerated() {
                guard entry.index == UInt64(position + 1), entry.data == Self.expectedData(entry.index) else {
                    Issue.record("round \(round): entry at position \(position) is \(entry.index) with wrong content")
                    break
                }
            }
            #expect(recovery.hardState.term == 1)
            try log.close()
            previous = acked
        }
    }
}
