#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A copy of the OCI runtime's binary in sealed memory (a memfd no one can write, grow or
/// shrink), which the agent and the container monitors run in place of the binary on disk.
///
/// Why: against CVE-2019-5736 (a container overwriting the host's runtime through
/// `/proc/self/exe`), crun and runc check at every call whether they run from a sealed copy,
/// and when not, they make one (or a read-only bind mount of themselves) and execute
/// themselves again: a second exec and dynamic link, a quarter to a third of what
/// `crun run` costs. Making the sealed copy once per agent gives the same protection with one
/// exec per call. The runtimes recognise it by its seals alone (any other form also needs an
/// environment variable), so both crun and runc accept it.
///
/// The copy follows the binary on disk: when a package upgrade replaces the file (another
/// inode, size or modification time), the next `path` makes a fresh copy. Old copies stay
/// open until the agent ends, since a command being started may still be executing one.
final class SealedRuntimeCopy: Sendable {
    /// The runtime's binary on disk.
    let source: String
    private let copies = Mutex<(current: Copy?, retired: [Copy])>((nil, []))

    /// One sealed memfd and the identity of the file it was copied from.
    private struct Copy {
        var descriptor: Int32
        var identity: FileIdentity
    }

    /// What tells a replaced binary from the one copied: device, inode, size and mtime.
    struct FileIdentity: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: Int64
        var modifiedNanoseconds: Int64

        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            self.init(info)
        }

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modified = Int64(info.st_mtim.tv_sec)
            modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
        }
    }

    /// Copies `source` now; nil when this kernel or libc cannot make sealed memory files (the
    /// runtime is then run from disk and protects itself as usual).
    init?(source: String) {
        self.source = source
        guard let first = Self.makeCopy(of: source) else { return nil }
        copies.withLock { $0.current = first }
    }

    deinit {
        copies.withLock { state in
            if let current = state.current { close(current.descriptor) }
            state.retired.forEach { close($0.descriptor) }
        }
    }

    /// The path that executes the copy, `/proc/<agent pid>/fd/<n>`: valid for this process and
    /// any process it starts while it runs. A container monitor opens it at once (see
    /// `OCIMonitorProgram`) so that its own start of the runtime does not depend on the agent
    /// staying alive. Falls back to `source` when a fresh copy of a replaced binary fails.
    var path: String {
        let onDisk = FileIdentity(path: source)
        let descriptor = copies.withLock { state -> Int32? in
            if let current = state.current, onDisk == nil || onDisk == current.identity { return current.descriptor }
            guard let fresh = Self.makeCopy(of: source) else { return nil }
            if let old = state.current { state.retired.append(old) }
            state.current = fresh
            return fresh.descriptor
        }
        guard let descriptor else { return source }
        return "/proc/\(getpid())/fd/\(descriptor)"
    }

    /// The seals the runtimes look for: no more seals, no shrinking, no growing, no writing.
    static let runtimeSeals: Int32 = 0x1 | 0x2 | 0x4 | 0x8
    private static let addSeals: Int32 = 1033  // F_ADD_SEALS
    static let getSeals: Int32 = 1034  // F_GET_SEALS

    private typealias MemfdCreate = @convention(c) (UnsafePointer<CChar>, UInt32) -> Int32

    /// `memfd_create` (glibc has it; Swift's Glibc module does not show it).
    private static let memfdCreate: MemfdCreate? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "memfd_create") else { return nil }
        return unsafeBitCast(symbol, to: MemfdCreate.self)
    }()

    private static func makeCopy(of source: String) -> Copy? {
        guard let memfdCreate else { return nil }
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return nil }
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0 else { return nil }
        // MFD_CLOEXEC | MFD_ALLOW_SEALING: only the /proc path hands it on, never inheritance.
        let memory = memfdCreate("roost-oci-runtime", 0x1 | 0x2)
        guard memory >= 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var copied: Int64 = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            var written = 0
            while written < count {
                let step = buffer.withUnsafeBytes { write(memory, $0.baseAddress! + written, count - written) }
                if step < 0 && errno == EINTR { continue }
                guard step > 0 else {
                    close(memory)
                    return nil
                }
                written += step
            }
            copied += Int64(count)
        }
        guard copied == Int64(info.st_size), fchmod(memory, 0o500) == 0, fcntl(memory, addSeals, runtimeSeals) == 0 else {
            close(memory)
            return nil
        }
        return Copy(descriptor: memory, identity: FileIdentity(info))
    }
}
