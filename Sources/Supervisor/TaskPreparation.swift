#if canImport(Glibc)
import Glibc
#endif
import ClusterModel
import Platform

/// A task ready to spawn: the resolved command line, environment and working directory.
struct PreparedTask: Sendable {
    var request: SpawnRequest
    var resources: Resources
}

/// Why a task could not be prepared: a setup failure (templates, directories) or a driver
/// failure (unknown driver, bad config, executable not found).
struct TaskPreparationError: Error, Sendable {
    var message: String
    var isSetupFailure: Bool
}

/// Turns a `TaskSpec` with the `raw_exec` driver into a spawn request: interpolates the
/// runtime references, renders templates into the task directory and resolves the command.
enum TaskPreparation {
    static let supportedDrivers: Set<String> = ["raw_exec"]
    /// The most arguments and template bytes a task may have.
    static let maximumArguments = 4096
    static let maximumTemplateBytes = 1 << 20

    static func prepare(
        task: TaskSpec, allocation: Allocation, directory: AllocationDirectory, settings: SupervisorSettings,
        agentEnvironment: [String: String]
    ) throws(TaskPreparationError) -> PreparedTask {
        guard supportedDrivers.contains(task.driver) else {
            throw TaskPreparationError(message: "driver \"\(task.driver)\" is not supported on this node (raw_exec, oci and docker are)", isSetupFailure: false)
        }
        let (environment, interpolator) = TaskEnvironment.build(
            allocation: allocation, task: task, directory: directory, node: settings.node, region: settings.region,
            agentEnvironment: agentEnvironment
        )
        try renderTemplates(task.templates, taskDirectory: directory.taskDirectory(task.name), interpolator: interpolator)

        guard case .string(let rawCommand)? = task.config["command"] else {
            throw TaskPreparationError(message: "raw_exec needs config { command = \"…\" }", isSetupFailure: false)
        }
        let command = interpolator.interpolate(rawCommand)
        var arguments: [String] = []
        switch task.config["args"] {
        case nil, .null?:
            break
        case .list(let values)?:
            guard values.count <= maximumArguments else {
                throw TaskPreparationError(message: "raw_exec args: more than \(maximumArguments) arguments", isSetupFailure: false)
            }
            for value in values {
                switch value {
                case .string(let text): arguments.append(interpolator.interpolate(text))
                case .number(let number):
                    arguments.append(Int64(exactly: number).map { String($0) } ?? String(number))
                case .bool(let flag): arguments.append(flag ? "true" : "false")
                default:
                    throw TaskPreparationError(message: "raw_exec args: expected strings, got a \(value.kindName)", isSetupFailure: false)
                }
            }
        case let other?:
            throw TaskPreparationError(message: "raw_exec args: expected a list, got a \(other.kindName)", isSetupFailure: false)
        }
        let workingDirectory = directory.taskDirectory(task.name)
        let executable: String
        do {
            executable = try ProcessSpawner.resolveExecutable(command, searchPath: environment["PATH"], workingDirectory: workingDirectory)
        } catch {
            throw TaskPreparationError(message: error.message, isSetupFailure: false)
        }
        let resources = allocation.taskResources[task.name] ?? task.resources
        return PreparedTask(
            request: SpawnRequest(
                executable: executable, arguments: arguments, environment: environment, workingDirectory: workingDirectory
            ),
            resources: resources
        )
    }

    /// Writes each template's data (interpolated) to its destination inside the task directory.
    static func renderTemplates(
        _ templates: [TemplateSpec], taskDirectory: String, interpolator: RuntimeInterpolator
    ) throws(TaskPreparationError) {
        for template in templates {
            let destination = template.destinationPath
            let components = destination.split(separator: "/")
            guard !destination.isEmpty, !destination.hasPrefix("/"), !components.contains(".."), !components.isEmpty else {
                throw TaskPreparationError(
                    message: "template destination \"\(destination)\" must be a relative path inside the task directory",
                    isSetupFailure: true
                )
            }
            var data = template.embeddedTemplate
            if data.isEmpty && !template.sourcePath.isEmpty {
                let source = template.sourcePath.hasPrefix("/") ? template.sourcePath : taskDirectory + "/" + template.sourcePath
                guard let bytes = try? FileIO.readBytes(source, limit: maximumTemplateBytes) else {
                    throw TaskPreparationError(message: "template source \"\(template.sourcePath)\" cannot be read", isSetupFailure: true)
                }
                data = String(decoding: bytes, as: UTF8.self)
            }
            guard data.utf8.count <= maximumTemplateBytes else {
                throw TaskPreparationError(message: "template \"\(destination)\" is larger than 1 MiB", isSetupFailure: true)
            }
            let path = taskDirectory + "/" + components.joined(separator: "/")
            let parent = components.count > 1 ? taskDirectory + "/" + components.dropLast().joined(separator: "/") : taskDirectory
            do {
                try FileIO.makeDirectories(parent)
                try FileIO.write(interpolator.interpolate(data), to: path, create: true)
                if let mode = mode_t(template.perms, radix: 8), mode <= 0o7777 { chmod(path, mode) }
            } catch {
                throw TaskPreparationError(message: "cannot write template \"\(destination)\": \(error)", isSetupFailure: true)
            }
        }
    }
}
