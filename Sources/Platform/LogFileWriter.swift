#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends a task's output to size-capped, numbered files (`<base>.0`, `<base>.1`, …), keeping
/// the newest `maxFiles`. A file is filled to exactly `maxFileBytes` before the next begins, so
/// byte `n` of the stream always lives in file `n / maxFileBytes`: readers can turn one offset
/// into a file and a position without an index. Not thread-safe: one queue owns a writer.
public final class LogFileWriter {
    public let directory: String
    public let baseName: String
    public let maxFiles: Int
    public let maxFileBytes: Int
    private var index: Int
    private var size: Int
    private var fd: Int32 = -1

    public init(directory: String, baseName: String, maxFiles: Int, maxFileBytes: Int) throws(FileIOError) {
        self.directory = directory
        self.baseName = baseName
        self.maxFiles = max(maxFiles, 1)
        self.maxFileBytes = max(maxFileBytes, 1)
        // Continue the newest file (a restarted task appends to its earlier output).
        let newest = LogFileReader.indexes(directory: directory, baseName: baseName).last ?? 0
        index = newest
        size = 0
        try open(index: newest)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Appends `bytes`, rotating as files fill up. Errors (a full disk) drop the output rather
    /// than stopping the task.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        var remaining = bytes
        while !remaining.isEmpty {
            if size >= maxFileBytes {
                guard (try? rotate()) != nil else { return }
            }
            let room = maxFileBytes - size
            let chunk = UnsafeRawBufferPointer(rebasing: remaining.prefix(room))
            let written = Glibc.write(fd, chunk.baseAddress, chunk.count)
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            size += written
            remaining = UnsafeRawBufferPointer(rebasing: remaining.dropFirst(written))
        }
    }

    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    public func closeFile() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    private func open(index: Int) throws(FileIOError) {
        let path = directory + "/" + baseName + "." + String(index)
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        if descriptor < 0 { throw FileIOError(path: path, operation: "open", errno: errno) }
        if fd >= 0 { close(fd) }
        fd = descriptor
        self.index = index
        size = FileIO.size(path) ?? 0
    }

    private func rotate() throws(FileIOError) {
        try open(index: index + 1)
        for old in LogFileReader.indexes(directory: directory, baseName: baseName) where old <= index - maxFiles {
            unlink(directory + "/" + baseName + "." + String(old))
        }
    }
}
