#if canImport(Glibc)
import Glibc
#endif
import ClusterModel
import Platform

extension AllocationDirectory {
    /// Writes a dispatched job's payload to `local/<file>` of every task that has a
    /// `dispatch_payload` block, before any task starts, so a task reads its input as a plain
    /// file. Jobs that were not dispatched leave the directory untouched.
    ///
    /// The directory may already hold what an earlier run of the task left (a worker restart
    /// prepares it again), so nothing on the way may be a symbolic link: a task must not be
    /// able to make the worker write outside its `local/` directory.
    public func writeDispatchPayload(of job: JobSpec, tasks: [TaskSpec]) throws(FileIOError) {
        guard let payload = job.payload else { return }
        for task in tasks {
            guard let config = task.dispatchPayload else { continue }
            let local = localDirectory(task.name)
            guard let components = config.localComponents else {
                throw FileIOError(path: local + "/" + config.file, operation: "write the dispatch payload (the path leaves local/) to", errno: EINVAL)
            }
            var parent = local
            for component in components.dropLast() {
                parent += "/" + component
                if Self.isSymbolicLink(parent) {
                    throw FileIOError(path: parent, operation: "write the dispatch payload through", errno: ELOOP)
                }
                try FileIO.makeDirectories(parent)
            }
            try Self.write(payload, to: parent + "/" + components[components.count - 1])
        }
    }

    private static func isSymbolicLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    /// Replaces the file's contents, refusing to follow a symbolic link at its place.
    private static func write(_ bytes: [UInt8], to path: String) throws(FileIOError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
        if fd < 0 { throw FileIOError(path: path, operation: "write the dispatch payload to", errno: errno) }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.write(fd, base + written, buffer.count - written)
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw FileIOError(path: path, operation: "write the dispatch payload to", errno: errno) }
            written += count
        }
    }
}
