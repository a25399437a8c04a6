/// `roost job`: submit, watch and stop jobs, and check job files before they are submitted.
enum JobCommand: Command {
    static let name = "job"
    static let abstract = "Run, inspect and stop jobs; check job files."
    static var subcommands: [any Command.Type] {
        [JobRunCommand.self, JobStatusCommand.self, JobStopCommand.self, JobValidateCommand.self, JobInspectCommand.self, JobDispatchCommand.self,
         JobPeriodicCommand.self, JobScaleCommand.self, JobPlanCommand.self, JobHistoryCommand.self,
         JobRevertCommand.self]
    }
}
