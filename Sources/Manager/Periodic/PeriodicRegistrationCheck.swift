import ClusterModel
import Scheduler

/// What a periodic job must get right before the cluster accepts it: every cron parses, the
/// time zone exists, and the job is a kind that runs to completion. Caught at registration so
/// a typo is an error now rather than a job that silently never launches.
enum PeriodicRegistrationCheck {
    static func problems(in job: JobSpec) -> [String] {
        guard let periodic = job.periodic else { return [] }
        var problems: [String] = []
        let owner = "the periodic block of job \"\(job.id)\""
        if job.type != .batch && job.type != .sysbatch {
            problems.append("job \"\(job.id)\" is periodic but of type \(job.type.rawValue): periodic jobs run to completion, set `type = \"batch\"` (or \"sysbatch\")")
        }
        if periodic.specs.isEmpty {
            problems.append("\(owner) has no cron expression: add `crons = [\"*/15 * * * *\"]`")
        }
        for spec in periodic.specs {
            do {
                _ = try CronExpression(parsing: spec)
            } catch {
                problems.append("\(owner): \(error.description)")
            }
        }
        if PeriodicTimeZone.zone(named: periodic.timeZone) == nil {
            problems.append(
                "\(owner) names time zone \"\(periodic.timeZone)\", which this manager does not know: use an IANA name such as \"America/New_York\", \"Europe/Paris\" or \"UTC\"")
        }
        return problems
    }
}
