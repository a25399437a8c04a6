import Foundation

/// `roost operator snapshot restore FILE`: replaces the whole cluster state on every manager.
enum OperatorSnapshotRestoreCommand: Command {
    static let name = "restore"
    static let abstract = "Replace the cluster state with the one saved in FILE."
    static let usage = "FILE [--address URL]"
    static let discussion = """
        Every manager replaces its jobs, nodes, allocations and evaluations with the saved ones
        (the managers themselves stay as they are). The file is checked (format, size and
        checksum) before anything changes.
        """
    static var options: [OptionDescription] { [AgentClient.addressOption] }

    /// The API takes request bodies up to 10 MiB.
    static let maximumSize = 10 << 20

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let path = arguments.positionals.first else {
            throw .usage("\"\(context.commandPath)\" takes one FILE to read")
        }
        let bytes: [UInt8]
        do {
            bytes = try LocalFile.contents(ofFile: path, limit: maximumSize)
        } catch {
            throw .failure(error.message)
        }
        let client = try AgentClient.connect(arguments, in: context)
        let response = try await client.send(.put, "/v1/operator/snapshot", body: bytes)
        let index = (try? JSONDecoder().decode([String: UInt64].self, from: Data(response.body)))?["Index"].map(String.init) ?? "?"
        context.writeLine("Restored the state from \(path) (now at index \(index))")
        return .success
    }
}
