import API
import ClusterModel

/// `roost alloc status ALLOC`: an allocation, its tasks and their recent events.
enum AllocStatusCommand: Command {
    static let name = "status"
    static let abstract = "Show an allocation: where it runs, its tasks and their events."
    static let usage = "ALLOC [--json] [--address URL]"
    static let discussion = "ALLOC is an allocation ID or any unique prefix of one (the 8 characters tables show)."
    static var options: [OptionDescription] { [AgentClient.jsonOption, AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let prefix = arguments.positionals.first else {
            throw .usage("\"\(context.commandPath)\" takes exactly one ALLOC (an ID or a prefix of one)")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let target = "/v1/allocation/\(AgentClient.escape(prefix))"
        if arguments.flag("json") == true {
            context.writeLine(try await client.getText(target))
            return .success
        }
        let (allocation, _) = try await client.get(target, as: AllocationDetail.self)
        let now = Timestamp.current
        var fields = Table("Field", "Value")
        fields.append(["ID", allocation.id.uuid])
        fields.append(["Eval ID", allocation.evaluationID.short])
        fields.append(["Name", allocation.name])
        fields.append(["Node ID", allocation.nodeID.short])
        fields.append(["Node Name", allocation.nodeName])
        fields.append(["Job ID", allocation.jobID])
        fields.append(["Job Version", String(allocation.jobVersion)])
        fields.append(["Client Status", StatusColor.paint(allocation.clientStatus.rawValue, in: context)])
        fields.append(["Client Description", allocation.clientDescription])
        fields.append(["Desired Status", allocation.desiredStatus.rawValue])
        fields.append(["Desired Description", allocation.desiredDescription.isEmpty ? "<none>" : allocation.desiredDescription])
        fields.append(["Created", RelativeTime.describe(nanoseconds: (now - allocation.createTime).totalNanoseconds)])
        fields.append(["Modified", RelativeTime.describe(nanoseconds: (now - allocation.modifyTime).totalNanoseconds)])
        if let next = allocation.nextAllocation { fields.append(["Replacement Alloc ID", next.short]) }
        if let previous = allocation.previousAllocation { fields.append(["Previous Alloc ID", previous.short]) }
        if let health = allocation.deploymentStatus, let healthy = health.healthy {
            let description = health.description.isEmpty ? "" : " (\(health.description))"
            fields.append(["Deployment Health", (healthy ? "healthy" : "unhealthy") + description])
        }
        context.console.writeOutput(JobStatusCommand.fieldLines(fields))
        if !allocation.ports.isEmpty {
            context.writeLine("\nPorts")
            var ports = Table("Label", "Host Address", "Mapped To")
            for port in allocation.ports.sorted(by: { $0.label < $1.label }) {
                ports.append([port.label, "\(port.hostIP):\(port.value)", port.to > 0 ? String(port.to) : ""])
            }
            context.console.writeOutput(ports.rendered())
        }
        let taskOrder = allocation.taskOrder
        for task in taskOrder {
            guard let state = allocation.taskStates[task] else { continue }
            let resources = allocation.taskResources[task]
            let failed = state.failed ? " (failed)" : ""
            context.writeLine("\nTask \"\(task)\" is \"\(StatusColor.paint(state.state.rawValue, in: context))\"\(failed)")
            if let resources {
                context.writeLine("Resources: \(resources.cpuMHz) MHz CPU, \(resources.memoryMiB) MiB memory; restarts: \(state.restarts)")
            }
            if let checks = state.checks, !checks.isEmpty {
                context.writeLine("Checks:")
                var table = Table("Name", "Service", "Type", "Status", "Since", "Output")
                for check in checks {
                    let since = check.since.map { RelativeTime.describe(nanoseconds: (now - $0).totalNanoseconds) } ?? "never"
                    let output = check.output.split(whereSeparator: \.isNewline).joined(separator: " ")
                    table.append([check.name, check.serviceName, check.type, check.status.rawValue, since, output])
                }
                context.console.writeOutput(table.rendered())
            }
            context.writeLine("Recent Events:")
            var events = Table("Time", "Type", "Description")
            for event in state.events.reversed() {
                events.append([
                    RelativeTime.describe(nanoseconds: (now - event.time).totalNanoseconds), event.kind.rawValue, event.message,
                ])
            }
            context.console.writeOutput(events.rendered())
        }
        return .success
    }
}
