/// `roost system`: cluster-wide maintenance, as Nomad's `nomad system`.
enum SystemCommand: Command {
    static let name = "system"
    static let abstract = "Cluster-wide maintenance (garbage collection)."
    static var subcommands: [any Command.Type] { [SystemGarbageCollectCommand.self] }
}
