import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which manifest a registry tag named when this node last pulled it:
/// `<directory>/tags/<sha256 of the reference>`, holding the reference and the manifest digest.
///
/// It lives on disk, beside the blobs, so that after an agent restart a container whose image is
/// cached still starts without asking the registry (which may be down). It only says which
/// digest to look for: the blobs themselves stay the truth, so a mapping whose blobs the image
/// garbage collector removed is simply not used (and is overwritten by the next pull).
public struct ImageTagCache: Sendable {
    public let directory: String

    /// The longest mapping file read (a reference is at most 4 KiB, a digest 71 bytes).
    static let maximumFileBytes = 8192

    public init(directory: String) throws(ImageError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ImageError(.io, "cannot create the image tag cache \(directory): \(error.localizedDescription); check the data directory's permissions")
        }
    }

    /// The file of `reference`: named by a hash, because references hold '/' and ':'.
    func path(of reference: String) -> String { directory + "/" + Digest(hashing: Array(reference.utf8)).hex }

    /// The manifest digest `reference` was last pulled as, or nil when unknown, unreadable or
    /// written for another reference.
    public func digest(for reference: String) -> Digest? {
        guard let handle = FileHandle(forReadingAtPath: path(of: reference)) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: Self.maximumFileBytes), let text = String(data: data, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 2, lines[0] == reference else { return nil }
        return Digest(String(lines[1]))
    }

    /// Records that `reference` names `digest`, atomically (a crash leaves the old mapping or
    /// the new one, never half of one). Failing to record only costs a registry request later,
    /// so it is not an error.
    public func remember(_ digest: Digest, for reference: String, scratch: String) {
        let destination = path(of: reference)
        guard FileManager.default.createFile(atPath: scratch, contents: Data((reference + "\n" + digest.description + "\n").utf8)) else { return }
        if rename(scratch, destination) != 0 { try? FileManager.default.removeItem(atPath: scratch) }
    }

    /// Drops the mapping of `reference` (the registry said the tag no longer exists).
    public func forget(_ reference: String) {
        try? FileManager.default.removeItem(atPath: path(of: reference))
    }
}
