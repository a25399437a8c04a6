import Foundation

/// `roost alloc logs [-f] [-stderr] ALLOC [TASK]`: a task's output, optionally followed.
enum AllocLogsCommand: Command {
    static let name = "logs"
    static let abstract = "Print (and with -f follow) a task's stdout or stderr."
    static let usage = "ALLOC [TASK] [-f] [-stderr] [-tail] [--address URL]"
    static let discussion = """
        TASK may be left out when the allocation has one task. -f keeps printing new output
        until the allocation stops or you press Ctrl-C. -tail starts from the last 10 KiB.
        """
    static var options: [OptionDescription] {
        [
            OptionDescription("f", displayPrefix: "-", help: "Follow: keep printing new output."),
            OptionDescription("stderr", displayPrefix: "-", help: "Show standard error instead of standard output."),
            OptionDescription("tail", displayPrefix: "-", help: "Start from the end (the last 10 KiB)."),
            AgentClient.addressOption,
        ]
    }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard (1...2).contains(arguments.positionals.count) else {
            throw .usage("\"\(context.commandPath)\" takes ALLOC and optionally TASK")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let allocation = arguments.positionals[0]
        var query = ["type=\(arguments.flag("stderr") == true ? "stderr" : "stdout")"]
        if arguments.positionals.count == 2 { query.append("task=\(AgentClient.escape(arguments.positionals[1]))") }
        if arguments.flag("f") == true { query.append("follow=true") }
        if arguments.flag("tail") == true { query += ["origin=end", "offset=10240"] }
        let target = "/v1/client/fs/logs/\(AgentClient.escape(allocation))?" + query.joined(separator: "&")
        let body = try await client.stream(target)
        do {
            for try await chunk in body {
                context.console.writeOutput(String(decoding: chunk, as: UTF8.self))
            }
        } catch {
            throw .failure("the log stream broke off: \(error)")
        }
        return .success
    }
}
