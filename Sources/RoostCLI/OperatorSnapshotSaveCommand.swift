/// `roost operator snapshot save FILE`: the whole cluster state, consistent, in one file.
enum OperatorSnapshotSaveCommand: Command {
    static let name = "save"
    static let abstract = "Save a consistent copy of the cluster state to FILE."
    static let usage = "FILE [-stale] [--address URL]"
    static var options: [OptionDescription] {
        [OptionDescription("stale", displayPrefix: "-", help: "Save this manager's copy even without a leader (may be slightly behind)."), AgentClient.addressOption]
    }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let path = arguments.positionals.first else {
            throw .usage("\"\(context.commandPath)\" takes one FILE to write")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let response = try await client.send(.get, "/v1/operator/snapshot" + (arguments.flag("stale") == true ? "?stale" : ""))
        do {
            try LocalFile.writePrivateFile(path, with: response.body)
        } catch {
            throw .failure(error.message)
        }
        context.writeLine("Saved the state at index \(response.headers["X-Roost-Index"] ?? "?") to \(path) (\(response.body.count) bytes)")
        return .success
    }
}
