import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns a task's or image's `user` ("", "1000", "1000:100", "app", "app:staff") into numeric
/// ids by reading the image's own /etc/passwd and /etc/group — never through a symlink, so an
/// image cannot make the agent read a host file.
enum OCIUserResolver {
    static func resolve(_ spec: String, rootfs: String) throws(TaskPreparationError) -> (UInt32, UInt32) {
        if spec.isEmpty { return (0, 0) }
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        let userPart = parts.first ?? ""
        let groupPart = parts.count > 1 ? parts[1] : nil
        var uid: UInt32
        var gid: UInt32 = 0
        if let number = UInt32(userPart) {
            uid = number
            if let entry = lookup(file: "passwd", rootfs: rootfs, matching: { $0[2] == userPart }), let primary = UInt32(entry[3]) {
                gid = primary
            }
        } else {
            guard let entry = lookup(file: "passwd", rootfs: rootfs, matching: { $0[0] == userPart }),
                let number = UInt32(entry[2]), let primary = UInt32(entry[3])
            else {
                throw TaskPreparationError(message: "user \"\(userPart)\" is not in the image's /etc/passwd; use a numeric uid", isSetupFailure: false)
            }
            uid = number
            gid = primary
        }
        if let groupPart {
            if let number = UInt32(groupPart) {
                gid = number
            } else {
                guard let entry = lookup(file: "group", rootfs: rootfs, matching: { $0[0] == groupPart }), let number = UInt32(entry[2]) else {
                    throw TaskPreparationError(message: "group \"\(groupPart)\" is not in the image's /etc/group; use a numeric gid", isSetupFailure: false)
                }
                gid = number
            }
        }
        return (uid, gid)
    }

    /// The first line of `/etc/<file>` in the rootfs (split on `:`, at least 4 fields) that matches.
    static func lookup(file: String, rootfs: String, matching: ([String]) -> Bool) -> [String]? {
        for path in [rootfs + "/etc", rootfs + "/etc/" + file] {
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFLNK else { return nil }
        }
        let fd = open(rootfs + "/etc/" + file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        guard let data = try? handle.read(upToCount: 1 << 20) else { return nil }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            if fields.count >= 4 && matching(fields) { return fields }
        }
        return nil
    }
}
