import ClusterModel
import Images

/// A task's `config { … }` for the oci/docker driver, with the keys (and meaning) of Nomad's
/// docker driver: `image`, `command`, `args`, `entrypoint`, `work_dir`, `force_pull`; `ports`
/// needs nothing here because containers share the host's network.
struct OCITaskConfig: Sendable {
    var image: String
    var command: String?
    var args: [String]?
    var entrypoint: [String]?
    var workingDirectory: String?
    /// Ask the registry for the tag on every start, even when this node pulled it before
    /// (without it, only `latest` is asked again).
    var forcePull: Bool

    init(_ config: [String: DynamicValue], interpolator: RuntimeInterpolator) throws(TaskPreparationError) {
        guard case .string(let rawImage)? = config["image"], !rawImage.isEmpty else {
            throw TaskPreparationError(message: "the oci driver needs config { image = \"registry:5000/name:tag\" }", isSetupFailure: false)
        }
        image = interpolator.interpolate(rawImage)
        switch config["command"] {
        case nil, .null?: command = nil
        case .string(let text)?: command = interpolator.interpolate(text)
        case let other?: throw TaskPreparationError(message: "oci config command: expected a string, got a \(other.kindName)", isSetupFailure: false)
        }
        args = try Self.list(config["args"], key: "args", interpolator: interpolator)
        entrypoint = try Self.list(config["entrypoint"], key: "entrypoint", interpolator: interpolator)
        switch config["work_dir"] {
        case nil, .null?: workingDirectory = nil
        case .string(let text)?:
            let directory = interpolator.interpolate(text)
            guard directory.hasPrefix("/") else {
                throw TaskPreparationError(message: "oci config work_dir \"\(directory)\" must be an absolute path inside the container", isSetupFailure: false)
            }
            workingDirectory = directory
        case let other?: throw TaskPreparationError(message: "oci config work_dir: expected a string, got a \(other.kindName)", isSetupFailure: false)
        }
        switch config["force_pull"] {
        case nil, .null?: forcePull = false
        case .bool(let flag)?: forcePull = flag
        case let other?:
            throw TaskPreparationError(
                message: "oci config force_pull: expected a bool, got a \(other.kindName); write force_pull = true or force_pull = false (no quotes)",
                isSetupFailure: false
            )
        }
    }

    static func list(_ value: DynamicValue?, key: String, interpolator: RuntimeInterpolator) throws(TaskPreparationError) -> [String]? {
        switch value {
        case nil, .null?: return nil
        case .list(let values)?:
            guard values.count <= OCIDriver.maximumListItems else {
                throw TaskPreparationError(message: "oci config \(key): more than \(OCIDriver.maximumListItems) items", isSetupFailure: false)
            }
            var out: [String] = []
            for value in values {
                switch value {
                case .string(let text): out.append(interpolator.interpolate(text))
                case .number(let number): out.append(Int64(exactly: number).map { String($0) } ?? String(number))
                case .bool(let flag): out.append(flag ? "true" : "false")
                default: throw TaskPreparationError(message: "oci config \(key): expected strings, got a \(value.kindName)", isSetupFailure: false)
                }
            }
            return out
        case .string(let text)?:
            return [interpolator.interpolate(text)]
        case let other?:
            throw TaskPreparationError(message: "oci config \(key): expected a list of strings, got a \(other.kindName)", isSetupFailure: false)
        }
    }

    /// The process's argv, as Docker builds it: entrypoint (the task's, else the image's) then
    /// the command (`command` + `args`, else `args` alone, else the image's Cmd — which a task
    /// entrypoint drops, as `docker run --entrypoint` does).
    func arguments(image: ImageConfiguration) throws(TaskPreparationError) -> [String] {
        let entry = entrypoint ?? image.config?.Entrypoint ?? []
        let cmd: [String]
        if let command {
            cmd = [command] + (args ?? [])
        } else if let args {
            cmd = args
        } else if entrypoint != nil {
            cmd = []
        } else {
            cmd = image.config?.Cmd ?? []
        }
        let argv = entry + cmd
        guard let first = argv.first, !first.isEmpty else {
            throw TaskPreparationError(message: "image \(self.image) has no Entrypoint or Cmd; set config { command = \"…\" }", isSetupFailure: false)
        }
        return argv
    }

    /// The image's `Env`, overridden by Roost's variables and the task's `env`.
    static func mergedEnvironment(image: [String], task: [String: String]) -> [String] {
        var order: [String] = []
        var values: [String: String] = [:]
        for entry in image {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            let key = String(entry[..<equals])
            if values[key] == nil { order.append(key) }
            values[key] = String(entry[entry.index(after: equals)...])
        }
        for key in task.keys.sorted() where !key.isEmpty && !key.contains("=") {
            if values[key] == nil { order.append(key) }
            values[key] = task[key]
        }
        if values["PATH"] == nil {
            order.append("PATH")
            values["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        }
        return order.compactMap { key in values[key].map { key + "=" + $0 } }.filter { !$0.utf8.contains(0) }
    }
}
