import API
import ClusterModel

/// `roost job stop JOB [-purge]`: stop a job's allocations (and, with -purge, forget the job).
enum JobStopCommand: Command {
    static let name = "stop"
    static let abstract = "Stop a job's allocations; -purge also removes the job."
    static let usage = "JOB [-purge] [-detach] [--address URL]"
    static let discussion = """
        Each task gets its kill_signal, then SIGKILL after kill_timeout; the command waits until
        every allocation of the job has stopped (or returns at once with -detach).
        """
    static var options: [OptionDescription] {
        [
            OptionDescription("purge", displayPrefix: "-", help: "Remove the job from the cluster once stopped."),
            OptionDescription("detach", displayPrefix: "-", help: "Return once the stop is registered."),
            AgentClient.addressOption,
        ]
    }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let jobID = arguments.positionals.first else {
            throw .usage("\"\(context.commandPath)\" takes exactly one JOB")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let escaped = AgentClient.escape(jobID)
        let purge = arguments.flag("purge") == true
        // Read the allocations first: after a purge the job's endpoints are gone.
        let (before, _) = try await client.get("/v1/job/\(escaped)/allocations", as: [AllocationListStub].self)
        _ = try await client.send(.delete, "/v1/job/\(escaped)\(purge ? "?purge=true" : "")")
        context.writeLine("==> Job \"\(jobID)\" \(purge ? "stopped and purged" : "stopped")")
        let live = Set(before.filter { !$0.clientStatus.isTerminal }.map(\.id))
        if arguments.flag("detach") == true || live.isEmpty { return .success }

        context.writeLine("    Waiting for \(live.count) allocation\(live.count == 1 ? "" : "s") to stop")
        var index: UInt64 = 0
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(300) {
            let (allocations, newIndex) = try await client.get("/v1/allocations?index=\(index)&wait=10s", as: [AllocationListStub].self)
            index = newIndex
            let running = allocations.filter { live.contains($0.id) && !$0.clientStatus.isTerminal }
            if running.isEmpty {
                context.writeLine("==> Every allocation of \"\(jobID)\" has stopped")
                return .success
            }
        }
        throw .failure("allocations of \"\(jobID)\" are still stopping after 5 minutes; see \"roost job status \(jobID)\"")
    }
}
