import API
import Jobspec

/// `roost job run FILE`: validate locally, register with the agent, then follow the job until
/// it runs (service) or completes (batch).
enum JobRunCommand: Command {
    static let name = "run"
    static let abstract = "Submit a job file and watch it until it runs or completes."
    static let usage = "FILE [-detach] [-var NAME=VALUE]... [-var-file FILE]... [--address URL]"
    static let discussion = """
        Checks the file as "roost job validate" does, sends the job to the agent, and follows
        the evaluation and the allocations. Exits 0 when a service job's allocations are all
        running or a batch job has completed, 1 when it failed, and 2 when some of it could not
        be placed (the reasons are printed). With -detach, returns as soon as the job is
        registered and prints the evaluation ID.

        When the run updates a job that is running and the new version rolls out as a
        deployment (a service group's update block), the deployment is followed instead: a
        table per group (desired, placed, healthy, unhealthy, progress deadline) each time it
        changes, until it succeeds (exit 0) or fails or is cancelled (exit 2, the same code as
        a placement failure: the job was registered but did not get where it was asked to).
        """ + "\n\n" + VariableOptions.discussion
    static var options: [OptionDescription] {
        [
            OptionDescription("detach", displayPrefix: "-", help: "Return once the job is registered."),
            AgentClient.addressOption,
        ] + VariableOptions.options
    }

    static let placementHint = ", or fix the job and run it again"

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let file = arguments.positionals.first else {
            throw .usage("\"\(context.commandPath)\" takes exactly one FILE (or - for standard input)")
        }
        let variables = try VariableOptions.inputs(from: arguments, in: context)
        let client = try AgentClient.connect(arguments, in: context)
        guard let job = try JobSourceReader.loadJob(file, variables: variables, in: context) else { return .failure }
        let escaped = AgentClient.escape(job.id)
        // Whether this run updates a running job: then its new version may roll out as a deployment.
        let updatesRunningJob = (try? await client.get("/v1/job/\(escaped)", as: JobDetail.self)).map { !$0.value.stop } ?? false
        let response = try await client.send(.post, "/v1/jobs", body: Array(NomadJSON.encode(job, pretty: false).utf8))
        let registration: JobRegisterResponse
        do {
            registration = try APIJSON.decode(JobRegisterResponse.self, from: response.body)
        } catch {
            throw .failure("the agent's answer could not be read: \(error)")
        }
        for warning in registration.warnings.split(separator: "\n") where !warning.isEmpty {
            context.writeErrorLine("warning: \(warning)")
        }
        context.writeLine("==> Job \"\(job.id)\" registered")
        guard !registration.evaluationID.isEmpty else { return .success }
        context.writeLine("    Evaluation ID: \(registration.evaluationID)")
        if arguments.flag("detach") == true { return .success }

        let (detail, _) = try await client.get("/v1/job/\(escaped)", as: JobDetail.self)
        let deadline = (job.update?.progressDeadline ?? .seconds(600)) + .seconds(30)
        let monitor = JobMonitor(client: client, context: context, jobID: job.id)
        if updatesRunningJob, job.type == .service, job.groups.contains(where: { $0.update != nil }) {
            let outcome = try await monitor.follow(evaluationID: registration.evaluationID, version: detail.version, deadline: deadline, allocations: false)
            switch outcome {
            case .running:
                if let deployed = try await monitor.followDeployment(version: detail.version) { return deployed }
            case .complete:
                return .success
            case .placementFailed, .failed:
                return try monitor.report(outcome, placementHint: Self.placementHint)
            }
        }
        let outcome = try await monitor.follow(evaluationID: registration.evaluationID, version: detail.version, deadline: deadline)
        return try monitor.report(outcome, placementHint: Self.placementHint)
    }
}
