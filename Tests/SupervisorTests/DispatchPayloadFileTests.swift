import ClusterModel
import Foundation
import Platform
import Supervisor
import Testing

/// Where the worker writes a dispatch payload, and where it refuses to.
@Suite struct DispatchPayloadFileTests {
    /// The data directory an allocation directory of `directory()` lives in (two levels up:
    /// `<data>/alloc/<id>`), which each test removes whole.
    static func dataDirectory(of directory: AllocationDirectory) -> String {
        URL(fileURLWithPath: directory.path).deletingLastPathComponent().deletingLastPathComponent().path
    }

    static func directory() -> AllocationDirectory {
        AllocationDirectory(
            dataDirectory: FileManager.default.temporaryDirectory.path + "/roost-payload-\(UUID().uuidString.prefix(8))",
            allocationID: AllocationID(uuid: UUID().uuidString.lowercased()))
    }

    static func job(payload: [UInt8]?, file: String = "input.txt") -> (JobSpec, [TaskSpec]) {
        let tasks = [
            TaskSpec(name: "reader", driver: "raw_exec", dispatchPayload: DispatchPayloadConfig(file: file)),
            TaskSpec(name: "sidecar", driver: "raw_exec"),
        ]
        return (JobSpec(id: "j/dispatch-1-00000000", type: .batch, groups: [GroupSpec(name: "g", tasks: tasks, restart: RestartPolicy.defaults(for: .batch), reschedule: nil)], payload: payload), tasks)
    }

    @Test func onlyTasksWithADispatchPayloadBlockGetTheFileUnderLocal() throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: Self.dataDirectory(of: directory)) }
        try directory.create(tasks: ["reader", "sidecar"])
        let (job, tasks) = Self.job(payload: [0, 1, 2, 255])
        try directory.writeDispatchPayload(of: job, tasks: tasks)
        #expect(try FileIO.readBytes(directory.localDirectory("reader") + "/input.txt") == [0, 1, 2, 255])
        #expect(FileIO.directoryEntries(directory.localDirectory("sidecar")).isEmpty)
    }

    @Test func aJobThatWasNotDispatchedWritesNothing() throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: Self.dataDirectory(of: directory)) }
        try directory.create(tasks: ["reader", "sidecar"])
        let (job, tasks) = Self.job(payload: nil)
        try directory.writeDispatchPayload(of: job, tasks: tasks)
        #expect(FileIO.directoryEntries(directory.localDirectory("reader")).isEmpty)
    }

    @Test func aSymbolicLinkLeftInLocalIsNotFollowed() throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: Self.dataDirectory(of: directory)) }
        try directory.create(tasks: ["reader", "sidecar"])
        let outside = directory.path + "/outside.txt"
        try FileIO.write("precious", to: outside, create: true)
        // What an earlier run of the task could have left behind.
        try FileManager.default.createSymbolicLink(atPath: directory.localDirectory("reader") + "/input.txt", withDestinationPath: outside)
        let (job, tasks) = Self.job(payload: Array("overwrite".utf8))
        #expect(throws: FileIOError.self) { try directory.writeDispatchPayload(of: job, tasks: tasks) }
        try FileManager.default.createSymbolicLink(atPath: directory.localDirectory("reader") + "/in", withDestinationPath: directory.path)
        let (nested, nestedTasks) = Self.job(payload: Array("overwrite".utf8), file: "in/outside.txt")
        #expect(throws: FileIOError.self) { try directory.writeDispatchPayload(of: nested, tasks: nestedTasks) }
        #expect(FileIO.readText(outside) == "precious")
    }
}
