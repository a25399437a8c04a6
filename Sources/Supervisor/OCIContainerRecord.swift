import ClusterModel
import Foundation
import Platform

/// What a worker writes next to a running container so that the next agent on the same data
/// directory can take it over: the allocation it belongs to (the new agent rebuilds the
/// allocation's runner from it), the runtime that runs it, and where its monitor leaves the
/// exit status and its output pipes are. Kept in the container's bundle as
/// `roost-container.json`; removed with the bundle.
struct OCIContainerRecord: Codable, Sendable, Hashable {
    var allocation: Allocation
    var task: String
    var containerID: String
    var runtime: OCIRuntime.Kind
    var runtimeExecutable: String
    var bundle: String
    /// The task cgroup's name under the Roost parent (also the container's `cgroupsPath` leaf).
    var cgroupName: String
    /// The container's init (pid 1 of its namespace), seen from the host. 0: the record was
    /// written while the runtime was still starting the container (it is, to keep the write
    /// off the start's path), and the runtime's pid file in the bundle has it.
    var initPID: Int32
    /// The `roost oci-monitor` process that is the init's parent and writes `exitFile`.
    var monitorPID: Int32

    static let fileName = "roost-container.json"

    var container: OCIContainer { OCIContainer(id: containerID, bundle: bundle) }

    /// The init's pid: the recorded one, else the one in the runtime's pid file; nil when the
    /// runtime never wrote one (the container did not start).
    func resolvedInitPID() -> Int32? {
        if initPID > 0 { return initPID }
        let text = FileIO.readText(container.pidFile, limit: 64)
        guard let pid = text.flatMap({ $0.split(whereSeparator: { $0 == " " || $0 == "\n" }).first }).flatMap({ Int32($0) }), pid > 0 else { return nil }
        return pid
    }

    /// Writes the record atomically (a torn record would make the next agent lose the container).
    func save() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: bundle + "/" + Self.fileName), options: .atomic)
    }

    /// The record in `bundle`, nil when there is none or it cannot be read (then the bundle is a leftover).
    static func load(bundle: String) -> OCIContainerRecord? {
        guard let data = FileManager.default.contents(atPath: bundle + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(OCIContainerRecord.self, from: data)
    }
}

extension OCIContainer {
    /// Where the monitor writes how the container's init ended (`exit <code> <signal>`).
    var exitFile: String { bundle + "/exit-status" }
    /// The named pipes the container writes its stdout and stderr to; the agent reads them
    /// into the task's log files, and a new agent reopens them after a restart.
    var standardOutputPipe: String { bundle + "/stdout.fifo" }
    var standardErrorPipe: String { bundle + "/stderr.fifo" }

    /// The exit status the monitor recorded, nil while the container runs (or when the
    /// monitor died before it could write one).
    func recordedExit() -> ProcessExitStatus? {
        guard let text = FileIO.readText(exitFile, limit: 256) else { return nil }
        return OCIContainerMonitor.parseExit(text)
    }
}

extension OCIRuntime.Kind: Codable {}
