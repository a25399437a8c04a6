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

/// A `docker-registry` (Debian's distribution server) on 127.0.0.1 at a free port, storing in
/// a scratch directory, killed by its pid when the test is done.
final class TestRegistry {
    let host: String
    let storage: String
    private let child: Foundation.Process

    static let executable = "/usr/bin/docker-registry"
    static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: executable) && ExternalCommand.find(["skopeo"]) != nil
    }

    init(scratch: String) throws {
        let port = try Self.freePort()
        host = "127.0.0.1:\(port)"
        storage = scratch + "/registry-data"
        let config = """
            version: 0.1
            log: {level: warn}
            storage: {filesystem: {rootdirectory: \(storage)}, delete: {enabled: true}}
            http: {addr: 127.0.0.1:\(port), secret: roost-test}
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: scratch + "/registry.yml"))
        child = Foundation.Process()
        child.executableURL = URL(fileURLWithPath: Self.executable)
        child.arguments = ["serve", scratch + "/registry.yml"]
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let curl = ExternalCommand.find(["curl"]),
                let result = try? ExternalCommand.run(curl, ["-sf", "-o", "/dev/null", "http://\(host)/v2/"]), result.status == 0
            {
                return
            }
            usleep(50_000)
        }
        stop()
        throw ImageError(.transport, "the test registry did not come up on \(host) within 20 s")
    }

    /// Pushes an OCI layout's image to `repository:tag` with skopeo.
    func push(layout: String, tag: String, repository: String) throws {
        guard let skopeo = ExternalCommand.find(["skopeo"]) else { throw ImageError(.io, "skopeo missing") }
        let result = try ExternalCommand.run(
            skopeo, ["copy", "--dest-tls-verify=false", "oci:\(layout):\(tag)", "docker://\(host)/\(repository):\(tag)"]
        )
        guard result.status == 0 else { throw ImageError(.io, "skopeo push failed: \(result.stderr)") }
    }

    /// The file the registry stores blob `digest` in.
    func blobFile(_ digest: Digest) -> String {
        storage + "/docker/registry/v2/blobs/sha256/" + digest.hex.prefix(2) + "/" + digest.hex + "/data"
    }

    func stop() {
        if child.isRunning {
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
        }
    }

    deinit { stop() }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ImageError(.io, "cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
