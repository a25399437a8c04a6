import Foundation
import Glibc
import Images

/// Debian's `docker-registry` on 127.0.0.1 at a free port, storing in a scratch directory and
/// fed with skopeo, killed by its pid when the test is done. Shared by the image client's tests
/// and the oci driver's.
public final class TestRegistry {
    public let host: String
    public let storage: String
    private let child: Foundation.Process

    public static let executable = "/usr/bin/docker-registry"
    public static let skopeo = "/usr/bin/skopeo"
    public static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: executable) && FileManager.default.isExecutableFile(atPath: skopeo)
    }

    public init(scratch: String) throws {
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
            if Self.answers(port: port) { return }
            usleep(50_000)
        }
        stop()
        throw TestRegistryError("the test registry did not come up on \(host) within 20 s")
    }

    /// Pushes an OCI layout's image to `repository:tag` with skopeo.
    public func push(layout: String, tag: String, repository: String) throws {
        let push = Foundation.Process()
        push.executableURL = URL(fileURLWithPath: Self.skopeo)
        push.arguments = ["copy", "--quiet", "--dest-tls-verify=false", "oci:\(layout):\(tag)", "docker://\(host)/\(repository):\(tag)"]
        push.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        push.standardError = errors
        try push.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        push.waitUntilExit()
        guard push.terminationStatus == 0 else { throw TestRegistryError("skopeo could not push to \(host): \(message)") }
    }

    /// The file the registry stores blob `digest` in.
    public func blobFile(_ digest: Digest) -> String {
        storage + "/docker/registry/v2/blobs/sha256/" + digest.hex.prefix(2) + "/" + digest.hex + "/data"
    }

    public func stop() {
        if child.isRunning {
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
        }
    }

    deinit { stop() }

    private static func answers(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// A port the kernel just handed out as free on 127.0.0.1.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestRegistryError("cannot find a free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

public struct TestRegistryError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
