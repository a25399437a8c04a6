import Foundation
import Images

/// Debian's `docker-registry` on 127.0.0.1 at a free port, fed with skopeo; killed by pid.
final class OCITestRegistry {
    let host: String
    let storage: String
    private let child: Foundation.Process

    static let executable = "/usr/bin/docker-registry"
    static let skopeo = "/usr/bin/skopeo"
    static var isAvailable: Bool {
        OCITestImage.isAvailable && FileManager.default.isExecutableFile(atPath: executable) && FileManager.default.isExecutableFile(atPath: skopeo)
    }

    init(scratch: String) throws {
        let port = try Self.freePort()
        host = "127.0.0.1:\(port)"
        storage = scratch + "/registry-data"
        let config = """
            version: 0.1
            log: {level: warn}
            storage: {filesystem: {rootdirectory: \(storage)}}
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
        throw OCIRuntimeTestError("the test registry did not come up on \(host) within 20 s")
    }

    func push(layout: String, tag: String, repository: String) throws {
        let push = Foundation.Process()
        push.executableURL = URL(fileURLWithPath: Self.skopeo)
        push.arguments = ["copy", "--quiet", "--dest-tls-verify=false", "oci:\(layout):\(tag)", "docker://\(host)/\(repository):\(tag)"]
        push.standardOutput = FileHandle.nullDevice
        try push.run()
        push.waitUntilExit()
        guard push.terminationStatus == 0 else { throw OCIRuntimeTestError("skopeo could not push to \(host)") }
    }

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

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw OCIRuntimeTestError("cannot find a free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct OCIRuntimeTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
