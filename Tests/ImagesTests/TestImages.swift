import Foundation
@testable import Images

/// Builds a small busybox image as an OCI layout without any network: `/bin/busybox` from
/// Debian's busybox-static, one symlink per applet, a passwd file.
enum TestImages {
    static let busybox = "/bin/busybox"

    static var canBuildBusybox: Bool { FileManager.default.isExecutableFile(atPath: busybox) && ExternalCommand.find(["tar"]) != nil }

    /// Writes the layout at `layout` with `tag`; returns the manifest digest.
    @discardableResult
    static func busyboxLayout(at layout: String, tag: String = "latest", scratch: String, extraFile: (String, String)? = nil) throws -> Digest {
        let rootfs = scratch + "/busybox-rootfs-" + UUID().uuidString.prefix(6)
        let manager = FileManager.default
        for directory in ["bin", "etc", "tmp", "proc", "sys", "dev", "root"] {
            try manager.createDirectory(atPath: rootfs + "/" + directory, withIntermediateDirectories: true)
        }
        try manager.copyItem(atPath: busybox, toPath: rootfs + "/bin/busybox")
        let listing = scratch + "/applets"
        _ = try ExternalCommand.run(busybox, ["--list"], stdoutTo: listing)
        for applet in try String(contentsOfFile: listing, encoding: .utf8).split(separator: "\n") where applet != "busybox" {
            try? manager.createSymbolicLink(atPath: rootfs + "/bin/" + applet, withDestinationPath: "busybox")
        }
        try Data("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n".utf8).write(to: URL(fileURLWithPath: rootfs + "/etc/passwd"))
        try Data("root:x:0:\nnogroup:x:65534:\n".utf8).write(to: URL(fileURLWithPath: rootfs + "/etc/group"))
        if let (name, content) = extraFile { try Data(content.utf8).write(to: URL(fileURLWithPath: rootfs + "/" + name)) }
        let tar = scratch + "/layer-" + UUID().uuidString.prefix(6) + ".tar"
        try OCILayoutWriter.tar(directory: rootfs, to: tar)
        defer {
            try? manager.removeItem(atPath: tar)
            try? manager.removeItem(atPath: rootfs)
        }
        return try OCILayoutWriter.write(
            layerTars: [tar],
            process: .init(Env: ["PATH=/bin", "FROM_IMAGE=yes"], Cmd: ["/bin/sh", "-c", "echo hello from busybox"], WorkingDir: "/"),
            tag: tag, to: layout
        )
    }
}
