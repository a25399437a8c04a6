/// `roost job periodic`: act on periodic jobs outside their schedule.
enum JobPeriodicCommand: Command {
    static let name = "periodic"
    static let abstract = "Act on periodic jobs (force a launch now)."
    static var subcommands: [any Command.Type] { [JobPeriodicForceCommand.self] }
}
