import Foundation

/// Each image's layers unpacked once, into `<directory>/<manifest hex>`, for containers to use
/// as the read-only lower layer of an overlay mount: starting a container then costs a mount
/// instead of an unpack. Trees appear atomically (unpacked aside, then renamed), and
/// concurrent requests for one image share one unpack.
public actor UnpackedImageCache {
    public nonisolated let directory: String
    private var unpacking: [Digest: Task<Result<String, ImageError>, Never>] = [:]

    public init(directory: String) throws(ImageError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasPrefix(".incoming-") {
                try? FileManager.default.removeItem(atPath: directory + "/" + name)
            }
        } catch {
            throw ImageError(.io, "cannot prepare the unpacked image cache \(directory): \(error.localizedDescription)")
        }
    }

    /// The unpacked tree of `image`, unpacking it first if needed.
    public func rootfs(for image: PulledImage) async throws(ImageError) -> String {
        let path = directory + "/" + image.manifestDigest.hex
        if FileManager.default.fileExists(atPath: path) {
            // Its modification time is the "last used" order of the image garbage collector.
            _ = utime(path, nil)
            return path
        }
        if let running = unpacking[image.manifestDigest] { return try await running.value.get() }
        let directory = directory
        let task = Task.detached { () -> Result<String, ImageError> in
            let incoming = directory + "/.incoming-" + UUID().uuidString
            do throws(ImageError) {
                try LayerUnpacker.unpack(image.layers, into: incoming)
                guard rename(incoming, path) == 0 || FileManager.default.fileExists(atPath: path) else {
                    throw ImageError(.io, "cannot move the unpacked image to \(path): errno \(errno)")
                }
                try? FileManager.default.removeItem(atPath: incoming)
                return .success(path)
            } catch {
                try? FileManager.default.removeItem(atPath: incoming)
                return .failure(error)
            }
        }
        unpacking[image.manifestDigest] = task
        let result = await task.value
        unpacking[image.manifestDigest] = nil
        return try result.get()
    }
}
