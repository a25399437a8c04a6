import Foundation

/// `roost deployment allocation-health DEPLOYMENT -healthy ALLOC… -unhealthy ALLOC…`: the
/// operator's verdicts for groups with `health_check = "manual"`, which nothing else judges.
enum DeploymentAllocationHealthCommand: Command {
    static let name = "allocation-health"
    static let abstract = "Mark allocations of a deployment healthy or unhealthy (groups with health_check = \"manual\")."
    static let usage = "DEPLOYMENT [-healthy ALLOC]... [-unhealthy ALLOC]... [--address URL]"
    static var options: [OptionDescription] {
        [
            OptionDescription("healthy", kind: .value(placeholder: "ALLOC"), displayPrefix: "-", help: "An allocation (ID or unique prefix) to mark healthy; repeatable."),
            OptionDescription("unhealthy", kind: .value(placeholder: "ALLOC"), displayPrefix: "-", help: "An allocation to mark unhealthy (fails the deployment); repeatable."),
            AgentClient.addressOption,
        ]
    }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let prefix = arguments.positionals.first else {
            throw .usage("\"\(context.commandPath)\" takes exactly one DEPLOYMENT (an ID or a unique prefix of one)")
        }
        let healthy = arguments.values(of: "healthy")
        let unhealthy = arguments.values(of: "unhealthy")
        guard !healthy.isEmpty || !unhealthy.isEmpty else {
            throw .usage("give at least one allocation with -healthy ALLOC or -unhealthy ALLOC")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let deployment = try await DeploymentCommand.lookUp(prefix, with: client)
        let body: [String: Any] = [
            "DeploymentID": deployment.id.uuid, "HealthyAllocationIDs": healthy, "UnhealthyAllocationIDs": unhealthy,
        ]
        let bytes = (try? JSONSerialization.data(withJSONObject: body)).map(Array.init) ?? []
        _ = try await client.send(.put, "/v1/deployment/allocation-health/\(deployment.id.uuid)", body: bytes)
        context.writeLine("==> Deployment \"\(deployment.id.short)\": \(healthy.count) marked healthy, \(unhealthy.count) marked unhealthy")
        return .success
    }
}
