import Foundation

/// `roost system gc`: purges every dead job now instead of after `job_gc_threshold`, and
/// deletes what purged jobs left behind.
enum SystemGarbageCollectCommand: Command {
    static let name = "gc"
    static let abstract = "Purge dead jobs and their finished work now."
    static let usage = "[--address URL]"
    static let discussion = """
        Managers purge a job once it has been dead (stopped, or all of its work finished) for
        job_gc_threshold (4h by default), then delete its evaluations and allocations. This
        runs that pass now, whatever the jobs' age. Needs a management token when ACLs are on.
        """
    static var options: [OptionDescription] { [AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.isEmpty else {
            throw .usage("\"\(context.commandPath)\" takes no arguments")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let response = try await client.send(.put, "/v1/system/gc")
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        let jobs = object?["PurgedJobs"] as? Int ?? 0
        let evaluations = object?["Evaluations"] as? Int ?? 0
        let allocations = object?["Allocations"] as? Int ?? 0
        context.writeLine("==> Garbage collection: purged \(jobs) dead job\(jobs == 1 ? "" : "s"), deleted \(evaluations) evaluation\(evaluations == 1 ? "" : "s") and \(allocations) allocation\(allocations == 1 ? "" : "s")")
        return .success
    }
}
