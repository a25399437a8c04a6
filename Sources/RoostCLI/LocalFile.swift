#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and rewriting the user's files with plain POSIX calls, so that every failure comes
/// back as the system's own words ("No such file or directory") and a rewrite is atomic.
enum LocalFile {
    /// The bytes of a file; refuses directories and files larger than `limit` before reading them.
    static func contents(ofFile path: String, limit: Int) throws(FileError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw FileError("cannot read \"\(path)\": \(systemMessage())")
        }
        defer { close(descriptor) }
        var status = stat()
        if fstat(descriptor, &status) == 0 {
            if status.st_mode & S_IFMT == S_IFDIR {
                throw FileError("cannot read \"\(path)\": it is a directory")
            }
            if status.st_mode & S_IFMT == S_IFREG, Int(status.st_size) > limit {
                throw FileError("cannot read \"\(path)\": \(sizeLimitMessage(limit))")
            }
        }
        return try readAll(from: descriptor, limit: limit, describedAs: "\"\(path)\"")
    }

    /// Everything a descriptor yields until end of file, failing once more than `limit` bytes
    /// arrive (a pipe has no size to check up front).
    static func readAll(from descriptor: Int32, limit: Int, describedAs name: String) throws(FileError) -> [UInt8] {
        var bytes: [UInt8] = []
        let chunkSize = 1 << 16
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress, chunkSize)
            }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError("cannot read \(name): \(systemMessage())")
            }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > limit {
                throw FileError("cannot read \(name): \(sizeLimitMessage(limit))")
            }
        }
    }

    /// Writes a new file readable only by its owner (a snapshot of the cluster state is
    /// sensitive), or replaces an existing one as `replaceContents` does.
    static func writePrivateFile(_ path: String, with bytes: [UInt8]) throws(FileError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw FileError("cannot write \"\(path)\": \(systemMessage())") }
        close(descriptor)
        try replaceContents(ofFile: path, with: bytes)
    }

    /// Replaces a file's contents so that a reader (or a crash) sees either the old file or the
    /// new one, never half of each: write a temporary file next to it, then rename it over.
    /// Keeps the file's permissions, and writes through a symbolic link to its target.
    static func replaceContents(ofFile path: String, with bytes: [UInt8]) throws(FileError) {
        guard let resolvedPointer = realpath(path, nil) else {
            throw FileError("cannot write \"\(path)\": \(systemMessage())")
        }
        let target = String(cString: resolvedPointer)
        free(resolvedPointer)

        var status = stat()
        guard stat(target, &status) == 0 else {
            throw FileError("cannot write \"\(path)\": \(systemMessage())")
        }
        let slash = target.lastIndex(of: "/") ?? target.startIndex
        let directory = target[..<slash]
        let name = target[target.index(after: slash)...]
        var template = Array("\(directory)/.\(name).roost-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkstemp($0) } ?? -1
        }
        guard descriptor >= 0 else {
            throw FileError("cannot write \"\(path)\": \(systemMessage())")
        }
        let temporaryPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)

        var failure: String?
        if fchmod(descriptor, status.st_mode & 0o7777) != 0 {
            failure = systemMessage()
        }
        if failure == nil {
            failure = writeAll(bytes, to: descriptor)
        }
        if failure == nil, fsync(descriptor) != 0 {
            failure = systemMessage()
        }
        if close(descriptor) != 0, failure == nil {
            failure = systemMessage()
        }
        if failure == nil, rename(temporaryPath, target) != 0 {
            failure = systemMessage()
        }
        if let failure {
            unlink(temporaryPath)
            throw FileError("cannot write \"\(path)\": \(failure)")
        }
    }

    /// nil when every byte was written, else the system's reason.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> String? {
        bytes.withUnsafeBytes { buffer -> String? in
            guard var pointer = buffer.baseAddress else { return nil }
            var remaining = buffer.count
            while remaining > 0 {
                let written = write(descriptor, pointer, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    return systemMessage()
                }
                pointer += written
                remaining -= written
            }
            return nil
        }
    }

    private static func systemMessage() -> String {
        String(cString: strerror(errno))
    }

    static func sizeLimitMessage(_ limit: Int) -> String {
        if limit >= 1 << 20, limit % (1 << 20) == 0 {
            return "it is larger than the \(limit >> 20) MiB limit for job files"
        }
        return "it is larger than the \(limit)-byte limit for job files"
    }
}
