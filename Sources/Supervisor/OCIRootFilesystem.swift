import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A container's root file system as an overlay: the node's unpacked image below (shared,
/// never written), the container's own `upper/` above, mounted at `<bundle>/rootfs`.
enum OCIRootFilesystem {
    /// Mounts the overlay; false when the kernel or the file system refuses (not root, no
    /// overlayfs), and the caller unpacks a private copy instead.
    static func mountOverlay(lower: String, bundle: String) -> Bool {
        let manager = FileManager.default
        // The bundle exists; plain mkdir (no FileManager round trips) on a container's start path.
        for sub in ["rootfs", "upper", "work"] {
            guard mkdir(bundle + "/" + sub, 0o755) == 0 || errno == EEXIST else { return false }
        }
        // Commas and colons separate overlay options and layers; such paths cannot be passed.
        for path in [lower, bundle] where path.contains(",") || path.contains(":") { return false }
        let options = "lowerdir=\(lower),upperdir=\(bundle)/upper,workdir=\(bundle)/work"
        if mount("overlay", bundle + "/rootfs", "overlay", 0, options) == 0 { return true }
        for sub in ["rootfs", "upper", "work"] { try? manager.removeItem(atPath: bundle + "/" + sub) }
        return false
    }

    /// Unmounts the overlay (lazily when busy) and deletes the bundle. Never deletes through a
    /// mount: if the rootfs is still a mount point after unmounting, the bundle is left alone.
    static func remove(bundle: String) {
        let rootfs = bundle + "/rootfs"
        if isMountPoint(rootfs) {
            if umount2(rootfs, 0) != 0 { _ = umount2(rootfs, Int32(MNT_DETACH)) }
            guard !isMountPoint(rootfs) else { return }
        }
        try? FileManager.default.removeItem(atPath: bundle)
    }

    static func isMountPoint(_ path: String) -> Bool {
        var own = stat()
        var parent = stat()
        guard lstat(path, &own) == 0, lstat(path + "/..", &parent) == 0 else { return false }
        return own.st_dev != parent.st_dev
    }
}
