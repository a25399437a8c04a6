import API
import ClusterModel

/// `roost node status [NODE]`: the cluster's nodes, or one node with its resources and attributes.
enum NodeStatusCommand: Command {
    static let name = "status"
    static let abstract = "List nodes, or show one node's resources, drivers and attributes."
    static let usage = "[NODE] [--json] [--address URL]"
    static var options: [OptionDescription] { [AgentClient.jsonOption, AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count <= 1 else { throw .usage("\"\(context.commandPath)\" takes at most one NODE") }
        let client = try AgentClient.connect(arguments, in: context)
        let json = arguments.flag("json") == true
        guard let prefix = arguments.positionals.first else {
            if json {
                context.writeLine(try await client.getText("/v1/nodes"))
                return .success
            }
            let (nodes, _) = try await client.get("/v1/nodes", as: [NodeListStub].self)
            var table = Table("ID", "DC", "Name", "Pool", "Drain", "Eligibility", "Status")
            for node in nodes {
                table.append([
                    node.id.short, node.datacenter, node.name, node.nodePool, String(node.drain), node.eligibility.rawValue,
                    StatusColor.paint(node.status.rawValue, in: context),
                ])
            }
            context.console.writeOutput(nodes.isEmpty ? "No nodes have registered yet.\n" : table.rendered())
            return .success
        }
        let target = "/v1/node/\(AgentClient.escape(prefix))"
        if json {
            context.writeLine(try await client.getText(target))
            return .success
        }
        let (node, _) = try await client.get(target, as: Node.self)
        var fields = Table("Field", "Value")
        fields.append(["ID", node.id.uuid])
        fields.append(["Name", node.name])
        fields.append(["Datacenter", node.datacenter])
        fields.append(["Pool", node.nodePool])
        fields.append(["Status", StatusColor.paint(node.status.rawValue, in: context)])
        fields.append(["Eligibility", node.eligibility.rawValue])
        var drain = String(node.drain)
        if let strategy = node.drainStrategy {
            let now = Timestamp.current
            drain += strategy.deadline.map { deadline in
                deadline > now ? " (deadline in \(RelativeTime.describe(duration: (deadline - now).totalNanoseconds)))" : " (deadline passed: everything moves)"
            } ?? " (no deadline)"
        }
        fields.append(["Drain", drain])
        fields.append(["CPU", "\(node.resources.cpuMHz) MHz (\(node.resources.cores) cores)"])
        fields.append(["Memory", "\(node.resources.memoryMiB) MiB"])
        fields.append(["Drivers", node.drivers.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value.healthy ? "healthy" : "unhealthy"))" }.joined(separator: ", ")])
        context.console.writeOutput(JobStatusCommand.fieldLines(fields))
        context.writeLine("\nAttributes")
        var attributes = Table("Field", "Value")
        for (key, value) in node.attributes.sorted(by: { $0.key < $1.key }) { attributes.append([key, value]) }
        context.console.writeOutput(JobStatusCommand.fieldLines(attributes))
        return .success
    }
}
