import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The uncompressed bytes of one layer, read in order, hashed as they pass (the hash is the
/// layer's diff_id). gzip and zstd layers are decompressed by the system's `gzip -dc` /
/// `zstd -dc` in a child process (recognized by their magic bytes, whatever the media type
/// says); a plain tar is read directly.
final class LayerStream {
    private let fd: Int32
    private let child: Foundation.Process?
    private let sourceHandle: FileHandle?
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var finished = false
    private(set) var hasher = SHA256()
    private(set) var consumed: Int64 = 0
    let path: String

    static let bufferSize = 256 * 1024

    init(path: String) throws(ImageError) {
        self.path = path
        buffer = [UInt8](repeating: 0, count: Self.bufferSize)
        guard let probe = FileHandle(forReadingAtPath: path) else {
            throw ImageError(.io, "cannot open layer \(path)")
        }
        let magic = [UInt8]((try? probe.read(upToCount: 4)) ?? Data())
        try? probe.close()
        var tool: (String, [String])?
        if magic.starts(with: [0x1f, 0x8b]) {
            guard let gzip = ExternalCommand.find(["gzip"]) else { throw ImageError(.io, "gzip layers need the gzip command; install it") }
            tool = (gzip, ["-dc"])
        } else if magic.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) {
            guard let zstd = ExternalCommand.find(["zstd"]) else { throw ImageError(.io, "zstd layers need the zstd command; install it (apt-get install zstd)") }
            tool = (zstd, ["-dc"])
        }
        if let (executable, arguments) = tool {
            guard let input = FileHandle(forReadingAtPath: path) else { throw ImageError(.io, "cannot open layer \(path)") }
            let process = Foundation.Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.standardInput = input
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            do {
                try process.run()
            } catch {
                throw ImageError(.io, "cannot run \(executable) to decompress \(path): \(error.localizedDescription)")
            }
            try? pipe.fileHandleForWriting.close()
            child = process
            sourceHandle = input
            fd = dup(pipe.fileHandleForReading.fileDescriptor)
            try? pipe.fileHandleForReading.close()
        } else {
            child = nil
            sourceHandle = nil
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw ImageError(.io, "cannot open layer \(path): errno \(errno)") }
        }
    }

    deinit { close() }

    private var closed = false

    /// Stops the decompressor (if still running) and releases the file descriptors.
    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
        if let child {
            if child.isRunning { child.terminate() }
            child.waitUntilExit()
        }
        try? sourceHandle?.close()
    }

    /// Whether the decompressor ended cleanly (call after `drain`).
    func decompressorSucceeded() -> Bool {
        guard let child else { return true }
        child.waitUntilExit()
        return child.terminationReason == .exit && child.terminationStatus == 0
    }

    private func fill() throws(ImageError) -> Bool {
        if finished { return false }
        if start == end {
            start = 0
            end = 0
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in
                Glibc.read(fd, raw.baseAddress! + end, raw.count - end)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw ImageError(.io, "cannot read layer \(path): errno \(errno)")
            }
            if count == 0 {
                finished = true
                return false
            }
            buffer.withUnsafeBufferPointer { hasher.update(UnsafeBufferPointer(rebasing: $0[end..<(end + count)])) }
            consumed += Int64(count)
            end += count
            return true
        }
    }

    /// Exactly `count` bytes, or nil at a clean end before the first byte.
    func read(exactly count: Int) throws(ImageError) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            if start == end {
                guard try fill() else {
                    if out.isEmpty { return nil }
                    throw ImageError(.unsafeLayer, "layer \(path) ends in the middle of an entry; the blob is truncated")
                }
            }
            let take = min(count - out.count, end - start)
            out.append(contentsOf: buffer[start..<(start + take)])
            start += take
        }
        return out
    }

    /// Passes the next `count` bytes to `sink` in chunks (file contents).
    func forward(_ count: Int64, to sink: (UnsafeBufferPointer<UInt8>) throws(ImageError) -> Void) throws(ImageError) {
        var remaining = count
        while remaining > 0 {
            if start == end {
                guard try fill() else { throw ImageError(.unsafeLayer, "layer \(path) ends in the middle of a file; the blob is truncated") }
            }
            let take = Int(min(remaining, Int64(end - start)))
            let slice = start..<(start + take)
            var failure: ImageError?
            buffer.withUnsafeBufferPointer { pointer in
                do throws(ImageError) { try sink(UnsafeBufferPointer(rebasing: pointer[slice])) } catch { failure = error }
            }
            if let failure { throw failure }
            start += take
            remaining -= Int64(take)
        }
    }

    /// Reads (and hashes) whatever follows the end of the archive.
    func drain() throws(ImageError) {
        start = end
        while try fill() { start = end }
    }
}
