#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small, bounded file operations on paths, with errno turned into typed errors. Cgroup and
/// proc files are tiny and special (a write is one syscall whose errno matters), so they are
/// read and written here directly rather than through Foundation.
public enum FileIO {
    /// Reads at most `limit` bytes of a file as UTF-8 text; nil when it cannot be opened.
    public static func readText(_ path: String, limit: Int = 1 << 20) -> String? {
        guard let bytes = try? readBytes(path, limit: limit) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func readBytes(_ path: String, limit: Int = 1 << 20) throws(FileIOError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw FileIOError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while result.count < limit {
            let wanted = min(buffer.count, limit - result.count)
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, wanted) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileIOError(path: path, operation: "read", errno: errno)
            }
            if count == 0 { break }
            result.append(contentsOf: buffer[0..<count])
        }
        return result
    }

    /// Writes `text` with one write call (what cgroup control files expect), creating the file
    /// when `create` is set (fake trees in tests) and truncating it.
    public static func write(_ text: String, to path: String, create: Bool = false) throws(FileIOError) {
        let flags = O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0)
        let fd = open(path, flags, 0o644)
        if fd < 0 { throw FileIOError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var bytes = Array(text.utf8)
        if bytes.isEmpty { return }
        while true {
            let count = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw FileIOError(path: path, operation: "write", errno: errno) }
            if count < bytes.count {
                bytes.removeFirst(count)
                continue
            }
            return
        }
    }

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates `path` and its missing parents with `mode`.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(FileIOError) {
        // Usually only the last component is missing: one mkdir, and the parents only on ENOENT.
        if mkdir(path, mode) == 0 { return }
        let failure = errno
        switch failure {
        case EEXIST:
            // Something else (a file) already there is not a directory.
            if !isDirectory(path) { throw FileIOError(path: path, operation: "mkdir", errno: ENOTDIR) }
        case ENOENT:
            var trimmed = Substring(path)
            while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
            guard let slash = trimmed.lastIndex(of: "/"), slash != trimmed.startIndex else {
                throw FileIOError(path: path, operation: "mkdir", errno: failure)
            }
            try makeDirectories(String(trimmed[..<slash]), mode: mode)
            if mkdir(path, mode) != 0 && errno != EEXIST { throw FileIOError(path: path, operation: "mkdir", errno: errno) }
            if !isDirectory(path) { throw FileIOError(path: path, operation: "mkdir", errno: ENOTDIR) }
        default:
            throw FileIOError(path: path, operation: "mkdir", errno: failure)
        }
    }

    /// Names in a directory, without `.` and `..`; empty when it cannot be read.
    public static func directoryEntries(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes a file or a whole directory tree; missing paths are fine.
    public static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in directoryEntries(path) { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// The size of a file in bytes, nil when it does not exist.
    public static func size(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }
}

extension FileIO {
    /// Whether `path` is on a cgroup (v1 or v2) file system rather than an ordinary one (a fake
    /// tree in tests), from the longest matching mount point in /proc/self/mountinfo.
    public static func isCgroupFileSystem(_ path: String) -> Bool {
        guard let mountinfo = readText("/proc/self/mountinfo", limit: 4 << 20) else { return false }
        var bestLength = -1
        var bestType = ""
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 4, let separator = fields.firstIndex(of: "-"), separator + 1 < fields.count else { continue }
            let mountPoint = String(fields[4])
            let matches = path == mountPoint || mountPoint == "/" || path.hasPrefix(mountPoint + "/")
            if matches && mountPoint.count > bestLength {
                bestLength = mountPoint.count
                bestType = String(fields[separator + 1])
            }
        }
        return bestType == "cgroup" || bestType == "cgroup2"
    }
}
