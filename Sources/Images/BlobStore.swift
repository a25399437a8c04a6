import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The content-addressed blob cache: `<directory>/blobs/sha256/<hex>`. A blob enters only
/// through `ingest`, which hashes it and checks size and digest before the atomic rename, so a
/// file under `blobs/` is always one whose digest was verified.
public struct BlobStore: Sendable {
    public let directory: String

    public init(directory: String) throws(ImageError) {
        self.directory = directory
        for sub in ["blobs/sha256", "tmp"] {
            do {
                try FileManager.default.createDirectory(atPath: directory + "/" + sub, withIntermediateDirectories: true)
            } catch {
                throw ImageError(.io, "cannot create the image cache \(directory)/\(sub): \(error.localizedDescription); check the data directory's permissions")
            }
        }
    }

    public func path(of digest: Digest) -> String { directory + "/blobs/sha256/" + digest.hex }

    public func contains(_ digest: Digest) -> Bool { FileManager.default.fileExists(atPath: path(of: digest)) }

    /// A fresh path in the cache's scratch directory (same file system as the blobs).
    public func temporaryPath() -> String { directory + "/tmp/" + UUID().uuidString }

    /// Moves the file at `temporary` into the cache when its content has `digest` (and
    /// `size`, when given); deletes it and throws `digestMismatch`/`sizeMismatch` otherwise.
    @discardableResult
    public func ingest(file temporary: String, digest: Digest, size: Int64?, what: String) throws(ImageError) -> String {
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let (actual, count) = try Self.hashFile(temporary)
        if let size, count != size {
            throw ImageError(.sizeMismatch, "\(what) \(digest) has \(count) bytes, the manifest says \(size); the registry or layout is corrupt: re-push the image")
        }
        guard actual == digest else {
            throw ImageError(.digestMismatch, "digest mismatch for \(what): expected \(digest), got \(actual); the registry or layout holds a corrupt blob: re-push the image")
        }
        return try move(temporary, to: digest, what: what)
    }

    /// Stores the file at `temporary` under its own hash, for content nothing names a digest
    /// for yet (a compressed layer of a `docker save` archive); returns the digest and size.
    public func ingest(file temporary: String, what: String) throws(ImageError) -> (Digest, Int64) {
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let (digest, size) = try Self.hashFile(temporary)
        _ = try move(temporary, to: digest, what: what)
        return (digest, size)
    }

    private func move(_ temporary: String, to digest: Digest, what: String) throws(ImageError) -> String {
        let destination = path(of: digest)
        if rename(temporary, destination) != 0 {
            throw ImageError(.io, "cannot move \(what) into the image cache at \(destination): errno \(errno)")
        }
        return destination
    }

    /// Stores bytes already in memory (manifests, configs) under their digest after checking it.
    @discardableResult
    public func ingest(bytes: [UInt8], digest: Digest, what: String) throws(ImageError) -> String {
        let actual = Digest(hashing: bytes)
        guard actual == digest else {
            throw ImageError(.digestMismatch, "digest mismatch for \(what): expected \(digest), got \(actual); the registry or layout is corrupt: re-push the image")
        }
        if contains(digest) { return path(of: digest) }
        let temporary = temporaryPath()
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw ImageError(.io, "cannot write \(what) to the image cache at \(temporary)")
        }
        return try ingest(file: temporary, digest: digest, size: Int64(bytes.count), what: what)
    }

    /// Reads a cached blob of at most `limit` bytes (manifests and configs).
    public func read(_ digest: Digest, limit: Int) throws(ImageError) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path(of: digest)) else {
            throw ImageError(.io, "blob \(digest) is not in the image cache at \(directory)")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: limit + 1)) ?? Data()
        guard data.count <= limit else { throw ImageError(.badDocument, "blob \(digest) is larger than \(limit) bytes") }
        return [UInt8](data)
    }

    /// The sha256 and length of a file, read in 1 MiB chunks (never whole in memory).
    public static func hashFile(_ path: String) throws(ImageError) -> (Digest, Int64) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ImageError(.io, "cannot open \(path) to check its digest: errno \(errno)") }
        defer { close(fd) }
        var hasher = SHA256()
        var total: Int64 = 0
        let chunk = 1 << 20
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: chunk)
        defer { buffer.deallocate() }
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, chunk)
            if count < 0 {
                if errno == EINTR { continue }
                throw ImageError(.io, "cannot read \(path) to check its digest: errno \(errno)")
            }
            if count == 0 { break }
            hasher.update(UnsafeBufferPointer(rebasing: buffer[0..<count]))
            total += Int64(count)
        }
        return (Digest(finishing: hasher), total)
    }

    /// Removes scratch files a crashed pull left behind.
    public func clearScratch() {
        let scratch = directory + "/tmp"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? [] {
            try? FileManager.default.removeItem(atPath: scratch + "/" + name)
        }
    }
}
