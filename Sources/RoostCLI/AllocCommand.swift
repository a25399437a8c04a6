/// `roost alloc`: allocations, the placed copies of a job's groups.
enum AllocCommand: Command {
    static let name = "alloc"
    static let abstract = "Inspect allocations and read their tasks' logs."
    static var subcommands: [any Command.Type] { [AllocStatusCommand.self, AllocLogsCommand.self] }
}
