/// `roost job`: commands about one job file at a time. Submitting and watching jobs arrive
/// with the cluster agent in a later issue.
enum JobCommand: Command {
    static let name = "job"
    static let abstract = "Check job files and show them as the cluster will see them."
    static var subcommands: [any Command.Type] { [JobValidateCommand.self, JobInspectCommand.self] }
}
