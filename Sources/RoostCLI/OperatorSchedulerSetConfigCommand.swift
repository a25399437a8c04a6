import API

/// `roost operator scheduler set-config -preempt-service-scheduler=true …`: changes only the
/// switches given, keeping the others as the cluster has them.
enum OperatorSchedulerSetConfigCommand: Command {
    static let name = "set-config"
    static let abstract = "Change the scheduler configuration (a management token is needed when ACLs are on)."
    static let usage = "[-preempt-service-scheduler=true|false] [-preempt-batch-scheduler=…] [-preempt-system-scheduler=…] [-preempt-sysbatch-scheduler=…] [--address URL]"
    static var options: [OptionDescription] {
        OperatorSchedulerCommand.switches.map { item in
            OptionDescription(
                item.flag, displayPrefix: "-", help: "Whether \(item.label.lowercased()) jobs may stop lower-priority work to fit (=true or =false).")
        } + [AgentClient.addressOption]
    }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.isEmpty else {
            throw .usage("\"\(context.commandPath)\" takes no arguments; give the switches as flags such as -preempt-service-scheduler=true")
        }
        let changes = OperatorSchedulerCommand.switches.compactMap { item in arguments.flag(item.flag).map { (item.keyPath, $0) } }
        guard !changes.isEmpty else {
            throw .usage("nothing to change: give at least one switch, such as -preempt-service-scheduler=true")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let path = "/v1/operator/scheduler/configuration"
        let (current, _) = try await client.get(path, as: OperatorSchedulerCommand.Reply.self)
        var preemption = current.schedulerConfig.preemptionConfig
        for (keyPath, value) in changes { preemption[keyPath: keyPath] = value }
        let body: [UInt8]
        do {
            body = try APIJSON.encode(OperatorSchedulerCommand.Configuration(preemptionConfig: preemption))
        } catch {
            throw .failure("could not encode the scheduler configuration: \(error)")
        }
        _ = try await client.send(.put, path, body: body)
        context.writeLine("Scheduler configuration updated!")
        context.writeLine(OperatorSchedulerCommand.describe(preemption))
        return .success
    }
}
