import Foundation
import Images
@testable import Supervisor

/// A busybox image built on the spot from Debian's busybox-static (no network), as an OCI
/// layout, for the oci driver tests.
enum OCITestImage {
    static let busybox = "/bin/busybox"

    /// Whether this machine can run the container tests: root, an OCI runtime, busybox-static.
    static var unavailableReason: String? {
        if getuid() != 0 { return "not root: containers need root (run the tests as root)" }
        if OCIRuntimeProbe.runtime == nil { return "no crun or runc (contrib/install-deps.sh installs crun)" }
        if !FileManager.default.isExecutableFile(atPath: busybox) { return "no /bin/busybox (apt-get install busybox-static)" }
        if OCIDriver.findMonitorExecutable() == nil { return "no roost executable beside the test binary to run as the container monitor (swift build --build-tests builds it)" }
        return nil
    }
    static var isAvailable: Bool { unavailableReason == nil }

    /// Writes the layout (tag `latest` unless told) into `directory`; returns its path.
    /// `marker` goes into /etc/marker, so two layouts can be told apart by digest.
    static func layout(in directory: String, tag: String = "latest", marker: String = "") throws -> String {
        let layout = directory + "/layout"
        let rootfs = directory + "/image-rootfs"
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for sub in ["bin", "etc", "tmp", "proc", "sys", "dev", "root"] {
            try manager.createDirectory(atPath: rootfs + "/" + sub, withIntermediateDirectories: true)
        }
        try manager.copyItem(atPath: busybox, toPath: rootfs + "/bin/busybox")
        for applet in ["sh", "echo", "cat", "sleep", "dd", "env", "ls", "id", "true", "false", "head", "tail", "pwd", "trap", "kill", "test", "httpd"] {
            try manager.createSymbolicLink(atPath: rootfs + "/bin/" + applet, withDestinationPath: "busybox")
        }
        try Data("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n".utf8).write(to: URL(fileURLWithPath: rootfs + "/etc/passwd"))
        try Data("root:x:0:\nnogroup:x:65534:\n".utf8).write(to: URL(fileURLWithPath: rootfs + "/etc/group"))
        try Data(marker.utf8).write(to: URL(fileURLWithPath: rootfs + "/etc/marker"))
        let tar = directory + "/layer.tar"
        try OCILayoutWriter.tar(directory: rootfs, to: tar)
        try OCILayoutWriter.write(
            layerTars: [tar], process: .init(Env: ["PATH=/bin", "FROM_IMAGE=yes"], Cmd: ["/bin/sh", "-c", "echo image default"], WorkingDir: "/"),
            tag: tag, to: layout
        )
        try? manager.removeItem(atPath: tar)
        try? manager.removeItem(atPath: rootfs)
        return layout
    }
}

enum OCIRuntimeProbe {
    static let runtime = OCIRuntime.detect()
}
