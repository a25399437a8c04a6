import Foundation
import Raft

/// A manager's Raft ID lives in its data directory: chosen at random on first start, kept
/// forever after, so a restarted manager is the same member of the configuration.
enum ServerIdentityFile {
    static func loadOrCreate(at path: String) throws -> RaftNodeID {
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            guard let raw = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines), radix: 16), raw != 0 else {
                throw IdentityFileError(message: "\(path) does not hold a Raft ID; remove it only if this manager was removed from its cluster")
            }
            return RaftNodeID(raw)
        }
        let id = RaftNodeID(UInt64.random(in: 1...UInt64.max))
        let temporary = path + ".tmp"
        try (id.description + "\n").write(toFile: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary, path) == 0 else { throw IdentityFileError(message: "cannot create \(path): errno \(errno)") }
        return id
    }

    /// Whether the Raft directory already holds a log or a snapshot (the manager belongs to a
    /// cluster and must never bootstrap another one).
    static func holdsRaftState(_ directory: String) -> Bool {
        for sub in ["wal", "snapshots"] {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/" + sub)) ?? []
            if entries.contains(where: { !$0.hasPrefix(".") && !$0.hasSuffix(".tmp") }) { return true }
        }
        return false
    }
}

struct IdentityFileError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
