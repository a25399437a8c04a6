import Foundation
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// The OCI runtime binary the `oci` driver drives: crun when the node has it (about 2.5x
/// faster to start a container than runc), else runc. All containers use the cgroupfs
/// manager with an absolute `linux.cgroupsPath` chosen by Roost, so both runtimes put them in
/// the same place.
public struct OCIRuntime: Sendable, Hashable {
    public enum Kind: String, Sendable { case crun, runc }

    public let kind: Kind
    public let executable: String
    /// The runtime's state directory (`--root`); nil for its default (`/run/crun`, `/run/runc`).
    public let stateRoot: String?
    /// The binary in sealed memory that Roost runs instead of `executable` (see
    /// `SealedRuntimeCopy`); nil until `sealed()`, or where sealed memory is unavailable.
    let sealedCopy: SealedRuntimeCopy?

    public init(kind: Kind, executable: String, stateRoot: String?) {
        self.init(kind: kind, executable: executable, stateRoot: stateRoot, sealedCopy: nil)
    }

    private init(kind: Kind, executable: String, stateRoot: String?, sealedCopy: SealedRuntimeCopy?) {
        self.kind = kind
        self.executable = executable
        self.stateRoot = stateRoot
        self.sealedCopy = sealedCopy
    }

    /// This runtime run from a sealed copy of its binary, made now: what the driver uses.
    func sealed() -> OCIRuntime {
        OCIRuntime(kind: kind, executable: executable, stateRoot: stateRoot, sealedCopy: SealedRuntimeCopy(source: executable))
    }

    /// What to execute to run the runtime: the sealed copy's path, else the binary on disk.
    public var launchPath: String { sealedCopy?.path ?? executable }

    /// The same runtime, however it is launched.
    public static func == (left: OCIRuntime, right: OCIRuntime) -> Bool {
        (left.kind, left.executable, left.stateRoot) == (right.kind, right.executable, right.stateRoot)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(executable)
        hasher.combine(stateRoot)
    }

    static let searchDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    /// The runtime to use: `preferred` ("crun", "runc" or a path) when set, else crun, else runc.
    public static func detect(preferred: String? = nil, stateRoot: String? = nil) -> OCIRuntime? {
        if let preferred, !preferred.isEmpty {
            let path = preferred.hasPrefix("/") ? preferred : find(preferred)
            guard let path, access(path, X_OK) == 0 else { return nil }
            let kind: Kind = path.hasSuffix("runc") ? .runc : .crun
            return OCIRuntime(kind: kind, executable: path, stateRoot: stateRoot)
        }
        if let crun = find("crun") { return OCIRuntime(kind: .crun, executable: crun, stateRoot: stateRoot) }
        if let runc = find("runc") { return OCIRuntime(kind: .runc, executable: runc, stateRoot: stateRoot) }
        return nil
    }

    static func find(_ name: String) -> String? {
        searchDirectories.map { $0 + "/" + name }.first { access($0, X_OK) == 0 }
    }

    /// Global flags before the subcommand: the error log (the runtime's own messages, kept out
    /// of the task's stderr) and the state root.
    func globalArguments(log: String?) -> [String] {
        var arguments: [String] = []
        if let log { arguments.append("--log=" + log) }
        if let stateRoot { arguments.append("--root=" + stateRoot) }
        return arguments
    }

    /// `run --detach --bundle B --pid-file P ID`: create and start in one runtime process (one
    /// exec less than `create` then `start` on the path to a running task). The runtime exits
    /// once the container runs; its init is then re-parented to the nearest subreaper.
    func runDetachedArguments(id: String, bundle: String, pidFile: String, log: String) -> [String] {
        globalArguments(log: log) + ["run", "--detach", "--bundle", bundle, "--pid-file", pidFile, id]
    }

    /// Runs a short runtime command (`start`, `kill`, `delete`, `state`, `list`) to completion.
    @discardableResult
    func run(_ arguments: [String]) -> (status: Int32, output: String, error: String) {
        let outcome = ExternalCommand.run(launchPath, globalArguments(log: nil) + arguments)
        return (outcome.status, outcome.output, outcome.error)
    }

    /// Whether the runtime may hold state for `id` (its state directory has an entry): a cheap
    /// check before paying for a `delete` process.
    func mayHaveState(_ id: String) -> Bool {
        FileManager.default.fileExists(atPath: (stateRoot ?? "/run/" + kind.rawValue) + "/" + id)
    }

    /// Whether a container of this runtime named `id` exists (`state` answers).
    func exists(_ id: String) -> Bool { run(["state", id]).status == 0 }

    /// The container's status from `state` (`created`, `running`, `stopped`), nil if unknown.
    func status(_ id: String) -> String? {
        let result = run(["state", id])
        guard result.status == 0, let data = result.output.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["status"] as? String
    }

    /// crun refuses hybrid cgroups while the cgroup2 mount still has a controller (on this
    /// kind of host: hugetlb, which has no v1 mount). Mounting that controller's v1 hierarchy
    /// moves it off cgroup2; the move lasts until reboot. Idempotent; returns what it did (to
    /// log) or nil when nothing was needed. runc needs none of this.
    public static func prepareHybridCgroups(root: String = "/sys/fs/cgroup") -> Result<String?, OCIRuntimeError> {
        let unified = root + "/unified/cgroup.controllers"
        // Only a real cgroup mount: a test's fake tree must never get a real mount on it.
        guard FileIO.isCgroupFileSystem(root + "/memory"),
            let text = try? String(contentsOfFile: unified, encoding: .utf8)
        else { return .success(nil) }
        let controllers = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        guard !controllers.isEmpty else { return .success(nil) }
        guard let mount = find("mount") else {
            return .failure(OCIRuntimeError("crun needs the cgroup2 controllers \(controllers) moved to v1, and the mount command is missing"))
        }
        for controller in controllers where controller.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            let target = root + "/" + controller
            try? FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            let child = Foundation.Process()
            child.executableURL = URL(fileURLWithPath: mount)
            child.arguments = ["-t", "cgroup", "-o", controller, "cgroup", target]
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            guard (try? child.run()) != nil else { continue }
            child.waitUntilExit()
        }
        let after = (try? String(contentsOfFile: unified, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard after.isEmpty else {
            return .failure(OCIRuntimeError("crun cannot run on this hybrid cgroup host: \(unified) still lists \"\(after)\" after mounting it as v1; use runc (oci_runtime = \"runc\") or boot with cgroup v2"))
        }
        return .success("moved the cgroup2 controller(s) \(controllers.joined(separator: ",")) to v1 hierarchies under \(root) so crun accepts this hybrid host (lasts until reboot)")
    }
}

/// A problem with the node's OCI runtime, said in a way an operator can act on.
public struct OCIRuntimeError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
