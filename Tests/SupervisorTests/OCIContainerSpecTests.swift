import ClusterModel
import Foundation
import Images
import Platform
import Testing

@testable import Supervisor

@Suite("OCI container configuration")
struct OCIContainerSpecTests {
    private func config(_ values: [String: DynamicValue]) throws -> OCITaskConfig {
        try OCITaskConfig(values, interpolator: RuntimeInterpolator(environment: ["NOMAD_PORT_db": "6379"], node: Self.node, region: "global"))
    }

    static let node = NodeFingerprinter.node(id: NodeID(uuid: "00000000-0000-4000-8000-000000000001"), fingerprint: Fingerprint.probe(), ociRuntime: nil)

    private let image = ImageConfiguration(config: .init(Entrypoint: ["/entry"], Cmd: ["serve", "--default"]), rootfs: .init(diff_ids: []))

    @Test("the command line is built like Docker's: entrypoint, then command and args, else the image's Cmd")
    func argumentMerging() throws {
        #expect(try config(["image": .string("x")]).arguments(image: image) == ["/entry", "serve", "--default"])
        #expect(try config(["image": .string("x"), "args": .list([.string("--port"), .string("${NOMAD_PORT_db}")])]).arguments(image: image) == ["/entry", "--port", "6379"])
        #expect(try config(["image": .string("x"), "command": .string("redis-server"), "args": .list([.string("-v")])]).arguments(image: image) == ["/entry", "redis-server", "-v"])
        #expect(try config(["image": .string("x"), "entrypoint": .list([.string("/bin/sh")])]).arguments(image: image) == ["/bin/sh"])
    }

    @Test("a task without an image, or an image with nothing to run, is refused with the fix")
    func refusals() throws {
        #expect(throws: TaskPreparationError.self) { try config([:]) }
        let empty = ImageConfiguration(rootfs: .init(diff_ids: []))
        let error = #expect(throws: TaskPreparationError.self) { try config(["image": .string("x")]).arguments(image: empty) }
        #expect(error?.message.contains("command") == true)
        #expect(throws: TaskPreparationError.self) { try config(["image": .string("x"), "work_dir": .string("relative")]) }
    }

    @Test("the task's env overrides the image's, and PATH is always set")
    func environment() {
        let merged = OCITaskConfig.mergedEnvironment(image: ["A=image", "B=image"], task: ["B": "task", "C": "task"])
        #expect(merged.contains("A=image") && merged.contains("B=task") && merged.contains("C=task"))
        #expect(merged.contains { $0.hasPrefix("PATH=") })
    }

    @Test("config.json has Roost's cgroup, the limits, no new privileges and Docker's capability set")
    func renderedSpec() throws {
        let spec = OCIContainerSpec(
            arguments: ["/bin/true"], environment: ["PATH=/bin"], workingDirectory: "/", uid: 0, gid: 0, mounts: OCIContainerSpec.baseMounts,
            cgroupsPath: "/roost/a.t", memoryLimitBytes: 64 << 20, memoryReservationBytes: nil, cpuShares: 100, pidsLimit: 50
        )
        let json = try #require(try JSONSerialization.jsonObject(with: spec.json()) as? [String: Any])
        let linux = try #require(json["linux"] as? [String: Any])
        #expect(linux["cgroupsPath"] as? String == "/roost/a.t")
        let resources = try #require(linux["resources"] as? [String: Any])
        #expect((resources["memory"] as? [String: Any])?["limit"] as? Int == 64 << 20)
        #expect((resources["pids"] as? [String: Any])?["limit"] as? Int == 50)
        let namespaces = (linux["namespaces"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
        #expect(!namespaces.contains("network"), "containers share the host network")
        let process = try #require(json["process"] as? [String: Any])
        #expect(process["noNewPrivileges"] as? Bool == true)
        let bounding = (process["capabilities"] as? [String: Any])?["bounding"] as? [String] ?? []
        #expect(bounding.contains("CAP_NET_BIND_SERVICE") && !bounding.contains("CAP_SYS_ADMIN"))
        #expect((linux["maskedPaths"] as? [String])?.contains("/proc/kcore") == true)
    }

    @Test("arguments and environment values with quotes, backslashes, control characters and non-ASCII text reach the runtime unchanged")
    func escaping() throws {
        let awkward = ["say \"hi\"", "C:\\path\\", "line1\nline2\ttab\r", "bell\u{07}nul\u{01}esc\u{1B}", "café ☕︎ 日本", "{\"json\": [1]}", ""]
        let spec = OCIContainerSpec(
            arguments: awkward, environment: awkward.map { "X=" + $0 }, workingDirectory: "/w d", uid: 1000, gid: 100,
            mounts: [OCIContainerSpec.bind("/a \"b\"", at: "/c")], cgroupsPath: "/roost/a.t",
            memoryLimitBytes: nil, memoryReservationBytes: nil, cpuShares: nil, pidsLimit: nil
        )
        let json = try #require(try JSONSerialization.jsonObject(with: spec.json()) as? [String: Any])
        let process = try #require(json["process"] as? [String: Any])
        #expect(process["args"] as? [String] == awkward)
        #expect(process["env"] as? [String] == awkward.map { "X=" + $0 })
        #expect(process["cwd"] as? String == "/w d")
        #expect((process["user"] as? [String: Any])?["uid"] as? Int == 1000)
        let capabilities = try #require(process["capabilities"] as? [String: Any])
        #expect((capabilities["effective"] as? [String])?.isEmpty == true, "a non-root user gets no capabilities")
        let mounts = try #require(json["mounts"] as? [[String: Any]])
        #expect(mounts.first?["source"] as? String == "/a \"b\"")
        let resources = try #require((json["linux"] as? [String: Any])?["resources"] as? [String: Any])
        #expect(resources["memory"] == nil && resources["pids"] == nil)
    }

    @Test("user names resolve from the image's passwd file, never through a symlink out of it")
    func userResolution() throws {
        let rootfs = FileManager.default.temporaryDirectory.path + "/roost-user-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: rootfs) }
        try FileManager.default.createDirectory(atPath: rootfs + "/etc", withIntermediateDirectories: true)
        try Data("app:x:1000:100::/:/bin/sh\n".utf8).write(to: URL(fileURLWithPath: rootfs + "/etc/passwd"))
        try Data("staff:x:50:\n".utf8).write(to: URL(fileURLWithPath: rootfs + "/etc/group"))
        #expect(try OCIUserResolver.resolve("app", rootfs: rootfs) == (1000, 100))
        #expect(try OCIUserResolver.resolve("app:staff", rootfs: rootfs) == (1000, 50))
        #expect(try OCIUserResolver.resolve("7:8", rootfs: rootfs) == (7, 8))
        try FileManager.default.removeItem(atPath: rootfs + "/etc/passwd")
        try FileManager.default.createSymbolicLink(atPath: rootfs + "/etc/passwd", withDestinationPath: "/etc/passwd")
        #expect(throws: TaskPreparationError.self) { try OCIUserResolver.resolve("root", rootfs: rootfs) }
    }
}
