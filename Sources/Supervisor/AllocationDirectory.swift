import ClusterModel
import Platform

/// The on-disk layout of one allocation, shaped like Nomad's so tasks find things where they
/// expect: `alloc/` shared by the group (`alloc/logs`, `alloc/tmp`, `alloc/data`) and per task
/// `local/`, `secrets/` and `tmp/`.
public struct AllocationDirectory: Sendable, Hashable {
    /// `<data>/alloc/<allocation-id>`.
    public let path: String

    public init(dataDirectory: String, allocationID: AllocationID) {
        path = dataDirectory + "/alloc/" + CgroupNames.component(allocationID.uuid)
    }

    /// The shared directory (`NOMAD_ALLOC_DIR`).
    public var sharedDirectory: String { path + "/alloc" }
    public var logsDirectory: String { sharedDirectory + "/logs" }

    /// The task's working directory.
    public func taskDirectory(_ task: String) -> String { path + "/" + CgroupNames.component(task) }
    /// `NOMAD_TASK_DIR`.
    public func localDirectory(_ task: String) -> String { taskDirectory(task) + "/local" }
    /// `NOMAD_SECRETS_DIR`, readable by the owner only.
    public func secretsDirectory(_ task: String) -> String { taskDirectory(task) + "/secrets" }
    public func temporaryDirectory(_ task: String) -> String { taskDirectory(task) + "/tmp" }

    /// Creates the shared directories and those of `tasks`.
    public func create(tasks: [String]) throws(FileIOError) {
        for directory in [sharedDirectory, logsDirectory, sharedDirectory + "/tmp", sharedDirectory + "/data"] {
            try FileIO.makeDirectories(directory)
        }
        for task in tasks {
            try FileIO.makeDirectories(localDirectory(task))
            try FileIO.makeDirectories(secretsDirectory(task), mode: 0o700)
            try FileIO.makeDirectories(temporaryDirectory(task), mode: 0o1777)
        }
    }
}
