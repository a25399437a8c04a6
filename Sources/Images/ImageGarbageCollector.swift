import Foundation

/// Keeps the image cache under a size limit: deletes unpacked image trees and blobs that no
/// running container uses, least recently used first, until the cache fits. Blobs of the
/// images in use (manifest, config, layers) and their unpacked trees are never touched.
public enum ImageGarbageCollector {
    public struct Report: Sendable, Hashable {
        public var bytesBefore: Int64
        public var bytesAfter: Int64
        public var removed: [String]
    }

    public static func collect(
        blobs: BlobStore, unpacked: UnpackedImageCache, inUse: [PulledImage], limitBytes: Int64, minimumAgeSeconds: Double = 300
    ) -> Report {
        // Anything used within the grace period stays: a pull in progress has not marked its
        // image as in use yet, but its blobs and tree are fresh.
        let cutoff = Date().timeIntervalSince1970 - minimumAgeSeconds
        var keep = Set<String>()
        for image in inUse {
            keep.insert(image.manifestDigest.hex)
            for layer in image.layers { keep.insert(layer.descriptor.digest.hex) }
        }
        let configs = Set(inUse.compactMap { image in
            // The config digest is not in PulledImage; keep every blob a kept manifest names.
            (try? blobs.read(image.manifestDigest, limit: RegistryClient.maximumDocumentBytes))
                .flatMap { try? JSONDecoder().decode(ImageManifest.self, from: Data($0)) }?.config.digest.hex
        })
        keep.formUnion(configs)
        var candidates: [(path: String, bytes: Int64, used: Double)] = []
        var total: Int64 = 0
        let blobDirectory = blobs.directory + "/blobs/sha256"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: blobDirectory)) ?? [] {
            let path = blobDirectory + "/" + name
            let (bytes, used) = usage(path)
            total += bytes
            if !keep.contains(name) { candidates.append((path, bytes, used)) }
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: unpacked.directory)) ?? [] where !name.hasPrefix(".") {
            let path = unpacked.directory + "/" + name
            let (bytes, used) = usage(path)
            total += bytes
            if !keep.contains(name) { candidates.append((path, bytes, used)) }
        }
        let before = total
        var removed: [String] = []
        for candidate in candidates.sorted(by: { $0.used < $1.used }) where total > limitBytes && candidate.used <= cutoff {
            guard (try? FileManager.default.removeItem(atPath: candidate.path)) != nil else { continue }
            total -= candidate.bytes
            removed.append(candidate.path)
        }
        return Report(bytesBefore: before, bytesAfter: total, removed: removed)
    }

    /// Bytes on disk under `path` (a file or a tree, links not followed) and the newest of its
    /// own access/modification time, as the "last used" order.
    static func usage(_ path: String) -> (Int64, Double) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return (0, 0) }
        let used = Double(max(info.st_atim.tv_sec, info.st_mtim.tv_sec))
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return (Int64(info.st_blocks) * 512, used) }
        var bytes: Int64 = 0
        if let walker = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in walker {
                var entry = stat()
                if lstat(path + "/" + relative, &entry) == 0 { bytes += Int64(entry.st_blocks) * 512 }
            }
        }
        return (bytes, used)
    }
}
