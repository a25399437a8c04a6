import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes the entries of one layer under `root`, never outside it (see `LayerUnpacker`).
struct LayerApplier {
    let root: String
    let layer: String
    /// Paths (relative to root) this layer created: an opaque whiteout keeps them.
    private var createdHere: Set<String> = []
    private let isRoot = geteuid() == 0

    /// Symlinks followed while resolving one path before giving up (as the kernel's ELOOP).
    static let maximumLinkHops = 40

    init(root: String, layer: String) {
        self.root = root
        self.layer = layer
    }

    /// The entry name as path components: leading `/` and `./` dropped, `..` refused.
    func components(of name: String, what: String = "entry") throws(ImageError) -> [String] {
        let parts = name.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
        if parts.contains("..") {
            throw ImageError(.unsafeLayer, "layer \(layer): \(what) \"\(name.prefix(200))\" has a '..' component and would write outside the root file system; the image is refused")
        }
        if name.utf8.count > 4096 || name.utf8.contains(0) {
            throw ImageError(.unsafeLayer, "layer \(layer): \(what) name is too long or has a NUL byte")
        }
        return parts
    }

    /// Resolves `components` as the container would, with the rootfs as `/`: symlinks among
    /// them (and the last one, when `followLast`) are followed but can never leave the root.
    /// Returns components relative to root, none of which is a symlink (the last one only
    /// when `followLast` is false).
    func resolve(_ components: [String], followLast: Bool) throws(ImageError) -> [String] {
        var resolved: [String] = []
        var pending = Array(components.reversed())
        var hops = 0
        while let component = pending.popLast() {
            if component.isEmpty || component == "." { continue }
            if component == ".." {
                if !resolved.isEmpty { resolved.removeLast() }
                continue
            }
            if pending.isEmpty && !followLast {
                resolved.append(component)
                break
            }
            let candidate = absolute(resolved + [component])
            var info = stat()
            if lstat(candidate, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK {
                hops += 1
                guard hops <= Self.maximumLinkHops else {
                    throw ImageError(.unsafeLayer, "layer \(layer): too many symbolic links while resolving \"\(components.joined(separator: "/").prefix(200))\"")
                }
                let target = try readLink(candidate)
                if target.hasPrefix("/") { resolved = [] }
                pending.append(contentsOf: target.split(separator: "/").map(String.init).reversed())
            } else {
                resolved.append(component)
            }
        }
        return resolved
    }

    func absolute(_ components: [String]) -> String {
        components.isEmpty ? root : root + "/" + components.joined(separator: "/")
    }

    private func readLink(_ path: String) throws(ImageError) -> String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path, &buffer, 4096)
        guard count >= 0 else { throw ImageError(.io, "cannot read the link \(path): errno \(errno)") }
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Creates the missing directories of `components` (already resolved: no symlinks).
    private func makeDirectories(_ components: [String]) throws(ImageError) {
        var current: [String] = []
        for component in components {
            current.append(component)
            let path = absolute(current)
            var info = stat()
            if lstat(path, &info) == 0 {
                guard (info.st_mode & S_IFMT) == S_IFDIR else {
                    throw ImageError(.unsafeLayer, "layer \(layer): \"\(current.joined(separator: "/"))\" is not a directory but the layer writes inside it")
                }
                continue
            }
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw ImageError(.io, "cannot create \(path) while unpacking \(layer): errno \(errno)")
            }
        }
    }

    mutating func apply(_ entry: TarEntry, stream: LayerStream) throws(ImageError) {
        let parts = try components(of: entry.name)
        guard let last = parts.last else {
            // The root directory itself ("./"): only its mode matters, and the runtime sets that.
            if entry.kind == .file { try stream.forward(entry.size) { _ in } }
            return
        }
        let parent = try resolve(Array(parts.dropLast()), followLast: true)
        try makeDirectories(parent)
        if last.hasPrefix(".wh.") {
            if entry.kind == .file { try stream.forward(entry.size) { _ in } }
            try whiteout(name: last, in: parent)
            return
        }
        let relative = parent + [last]
        let path = absolute(relative)
        var existing = stat()
        let exists = lstat(path, &existing) == 0
        if exists {
            let isDirectory = (existing.st_mode & S_IFMT) == S_IFDIR
            if !(isDirectory && entry.kind == .directory) { try remove(path) }
        }
        switch entry.kind {
        case .directory:
            if mkdir(path, 0o755) != 0 && errno != EEXIST { throw ioError("create directory", path) }
            setOwnerAndMode(path, entry)
        case .file:
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw ioError("create file", path) }
            defer { close(fd) }
            let layer = layer
            try stream.forward(entry.size) { chunk throws(ImageError) in
                var offset = 0
                while offset < chunk.count {
                    let written = write(fd, chunk.baseAddress! + offset, chunk.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw ImageError(.io, "cannot write \(path) while unpacking \(layer): errno \(errno); is the disk full?")
                    }
                    offset += written
                }
            }
            if isRoot { _ = fchown(fd, uid_t(clamping: entry.uid), gid_t(clamping: entry.gid)) }
            _ = fchmod(fd, mode_t(entry.mode))
        case .symbolicLink:
            guard !entry.linkName.isEmpty, !entry.linkName.utf8.contains(0) else {
                throw ImageError(.unsafeLayer, "layer \(layer): symlink \"\(entry.name.prefix(200))\" has an empty target")
            }
            if symlink(entry.linkName, path) != 0 { throw ioError("create symlink", path) }
            if isRoot { _ = lchown(path, uid_t(clamping: entry.uid), gid_t(clamping: entry.gid)) }
        case .hardLink:
            let targetParts = try components(of: entry.linkName, what: "hard link target")
            let target = absolute(try resolve(targetParts, followLast: false))
            var info = stat()
            guard lstat(target, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR else {
                throw ImageError(.unsafeLayer, "layer \(layer): hard link \"\(entry.name.prefix(200))\" points at \"\(entry.linkName.prefix(200))\", which is not a file in the image")
            }
            if link(target, path) != 0 { throw ioError("create hard link", path) }
        case .fifo:
            if mkfifo(path, mode_t(entry.mode)) != 0 { throw ioError("create fifo", path) }
            setOwnerAndMode(path, entry)
        case .characterDevice, .blockDevice:
            return
        }
        createdHere.insert(relative.joined(separator: "/"))
    }

    private func setOwnerAndMode(_ path: String, _ entry: TarEntry) {
        if isRoot { _ = lchown(path, uid_t(clamping: entry.uid), gid_t(clamping: entry.gid)) }
        _ = chmod(path, mode_t(entry.mode))
    }

    private func whiteout(name: String, in parent: [String]) throws(ImageError) {
        let directory = absolute(parent)
        if name == ".wh..wh..opq" {
            let prefix = parent.joined(separator: "/")
            for child in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                let relative = prefix.isEmpty ? child : prefix + "/" + child
                if !createdHere.contains(relative) { try remove(directory + "/" + child) }
            }
            return
        }
        if name.hasPrefix(".wh..wh.") { return }
        let victim = String(name.dropFirst(4))
        guard !victim.isEmpty, victim != ".", victim != ".." else { return }
        try remove(directory + "/" + victim)
    }

    /// Deletes a path without following symlinks (a directory with everything in it).
    private func remove(_ path: String) throws(ImageError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for child in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                try remove(path + "/" + child)
            }
            if rmdir(path) != 0 { throw ioError("remove directory", path) }
        } else if unlink(path) != 0 {
            throw ioError("remove", path)
        }
    }

    private func ioError(_ operation: String, _ path: String) -> ImageError {
        ImageError(.io, "cannot \(operation) \(path) while unpacking \(layer): errno \(errno)")
    }
}
