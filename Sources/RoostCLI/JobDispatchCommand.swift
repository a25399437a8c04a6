import API
import ClusterModel
import Foundation

/// `roost job dispatch JOB [PAYLOAD|-]`: launch a run of a parameterized job with its input
/// (a file, or standard input) and metadata, then follow the run as `job run` does.
enum JobDispatchCommand: Command {
    static let name = "dispatch"
    static let abstract = "Run a parameterized job with a payload and metadata."
    static let usage = "JOB [PAYLOAD-FILE|-] [-meta KEY=VALUE]... [-id-prefix-template WORD] [-detach] [--address URL]"
    static let discussion = """
        Creates a child job JOB/dispatch-<unix seconds>-<random> from JOB's parameterized
        block. The payload (a file, or - for standard input; at most 16 KiB) is written to each
        task's dispatch_payload file under its local/ directory; -meta values reach the tasks as
        NOMAD_META_<KEY>. The job's meta_required keys must all be given, and only its
        meta_required and meta_optional keys are accepted. Exits as "roost job run" does.
        """
    /// What the CLI reads before the agent judges the size, so an oversized payload gets the
    /// agent's answer (which names the cap) rather than a local read error.
    static let readLimit = 1 << 20

    static var options: [OptionDescription] {
        [
            OptionDescription(
                "meta", kind: .value(placeholder: "KEY=VALUE"), displayPrefix: "-",
                help: "Metadata for this run; repeat for more. Tasks see it as NOMAD_META_KEY."),
            OptionDescription(
                "id-prefix-template", kind: .value(placeholder: "WORD"), displayPrefix: "-",
                help: "A word put in the child's ID after dispatch- (letters, digits, -, _ and .)."),
            OptionDescription("detach", displayPrefix: "-", help: "Return once the child job is created."),
            AgentClient.addressOption,
        ]
    }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard (1...2).contains(arguments.positionals.count), let jobID = arguments.positionals.first else {
            throw .usage("\"\(context.commandPath)\" takes a JOB and, optionally, a PAYLOAD-FILE (or - for standard input)")
        }
        var meta: [String: String] = [:]
        for assignment in arguments.values(of: "meta") {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw .usage("invalid -meta \"\(assignment)\": expected KEY=VALUE")
            }
            meta[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
        }
        var payload: [UInt8] = []
        if arguments.positionals.count == 2 {
            let path = arguments.positionals[1]
            do {
                payload = path == "-"
                    ? try context.console.readInput(limit: readLimit)
                    : try LocalFile.contents(ofFile: path, limit: readLimit)
            } catch {
                throw .failure(error.message)
            }
        }
        let request = JobDispatchRequest(
            payload: payload.isEmpty ? nil : Data(payload).base64EncodedString(), meta: meta.isEmpty ? nil : meta,
            idPrefixTemplate: arguments.values(of: "id-prefix-template").last)
        let body: [UInt8]
        do {
            body = try APIJSON.encode(request)
        } catch {
            throw .failure("cannot encode the dispatch request: \(error)")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let response = try await client.send(.post, "/v1/job/\(AgentClient.escape(jobID))/dispatch", body: body)
        let dispatched: JobDispatchResponse
        do {
            dispatched = try APIJSON.decode(JobDispatchResponse.self, from: response.body)
        } catch {
            throw .failure("the agent's answer could not be read: \(error)")
        }
        context.writeLine("Dispatched Job ID = \(dispatched.dispatchedJobID)")
        context.writeLine("Evaluation ID     = \(dispatched.evaluationID)")
        if arguments.flag("detach") == true { return .success }

        let child = dispatched.dispatchedJobID
        let monitor = JobMonitor(client: client, context: context, jobID: child)
        let outcome = try await monitor.follow(evaluationID: dispatched.evaluationID, version: 0, deadline: .seconds(630))
        return try monitor.report(outcome)
    }
}

extension JobDispatchCommand {
    /// The "Dispatched Jobs" section of `roost job status` for a parameterized job: its
    /// children, newest first, found by the ID prefix every child has and confirmed by ParentID.
    static func writeChildren(of parentID: String, client: AgentClient, in context: CommandContext) async throws(CommandError) {
        let prefix = AgentClient.escape(parentID + "/dispatch-")
        let (jobs, _) = try await client.get("/v1/jobs?prefix=\(prefix)", as: [JobListStub].self)
        let children = jobs.filter { $0.parentID == parentID }.sorted { ($0.submitTime, $0.id) > ($1.submitTime, $1.id) }
        context.writeLine("\nDispatched Jobs")
        guard !children.isEmpty else {
            context.writeLine("No dispatched jobs: launch one with \"roost job dispatch \(parentID) [PAYLOAD-FILE]\"")
            return
        }
        var table = Table("ID", "Status", "Submitted")
        let now = Timestamp.current
        for child in children {
            table.append([
                child.id, StatusColor.paint(child.status.rawValue, in: context),
                RelativeTime.describe(nanoseconds: (now - child.submitTime).totalNanoseconds),
            ])
        }
        context.console.writeOutput(table.rendered())
    }
}
