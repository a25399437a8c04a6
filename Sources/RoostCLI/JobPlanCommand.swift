import API
import Jobspec

/// `roost job plan FILE`: what submitting the file would change — the diff against the
/// running version and what the scheduler would do — without changing anything.
enum JobPlanCommand: Command {
    static let name = "plan"
    static let abstract = "Show what submitting a job file would change, without changing anything."
    static let usage = "FILE [-var NAME=VALUE]... [-var-file FILE]... [--address URL]"
    static let discussion = """
        Prints each changed field of the job (+ added, - removed, ~ changed, named by its path
        in the JSON job that "roost job inspect" prints), then the scheduler's dry run per task
        group: copies to create or destroy, running copies updated in place or replaced
        (create/destroy update), canaries, and those left alone; and, for a group that would
        not fit, why. Exits 0 when no allocation would be created or destroyed, 1 when some
        would, and 255 when the plan could not be made (as Nomad's plan does).
        """ + "\n\n" + VariableOptions.discussion
    static var options: [OptionDescription] { [AgentClient.addressOption] + VariableOptions.options }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count == 1, let file = arguments.positionals.first else {
            throw .usage("\"\(context.commandPath)\" takes exactly one FILE (or - for standard input)")
        }
        do {
            return try await plan(file, arguments, in: context)
        } catch {
            _ = CommandLineTool.report(error, in: context)
            return error.kind == .usage ? .usage : .planFailed
        }
    }

    private static func plan(_ file: String, _ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        let variables = try VariableOptions.inputs(from: arguments, in: context)
        let client = try AgentClient.connect(arguments, in: context)
        guard let job = try JobSourceReader.loadJob(file, variables: variables, in: context) else { return .planFailed }
        let response = try await client.send(
            .post, "/v1/job/\(AgentClient.escape(job.id))/plan", body: Array(NomadJSON.encode(job, pretty: false).utf8))
        let plan: JobPlanResponse
        do {
            plan = try APIJSON.decode(JobPlanResponse.self, from: response.body)
        } catch {
            throw .failure("the agent's answer could not be read: \(error)")
        }
        switch plan.diffType {
        case "Added": context.writeLine("+ Job: \"\(job.id)\" (new)")
        case "None": context.writeLine("Job: \"\(job.id)\" (no changes)")
        default:
            context.writeLine("~ Job: \"\(job.id)\"")
            for line in plan.diffLines { context.writeLine("    \(line)") }
        }
        context.writeLine("")
        context.writeLine("Scheduler dry-run:")
        if plan.failedGroupAllocations.isEmpty {
            context.writeLine("- All tasks successfully allocated.")
        } else {
            context.writeLine("- WARNING: Failed to place all allocations.")
            for (group, metrics) in plan.failedGroupAllocations.sorted(by: { $0.key < $1.key }) {
                context.writeLine("  Task Group \"\(group)\": \(metrics.summary())")
            }
        }
        for (group, updates) in plan.annotations.desiredTGUpdates.sorted(by: { $0.key < $1.key }) {
            context.writeLine("  Task Group \"\(group)\" (\(describe(updates)))")
        }
        if let preempted = plan.annotations.preemptedAllocations, !preempted.isEmpty {
            context.writeLine("")
            context.writeLine("Preemptions:")
            context.writeLine("")
            var table = Table("Alloc ID", "Job ID", "Task Group", "Node ID")
            for allocation in preempted {
                table.append([allocation.id.short, allocation.jobID, allocation.groupName, allocation.nodeID.short])
            }
            context.writeLine(table.rendered())
        }
        for warning in plan.warnings.split(separator: "\n") where !warning.isEmpty {
            context.writeErrorLine("warning: \(warning)")
        }
        context.writeLine("")
        context.writeLine("Job Modify Index: \(plan.jobModifyIndex)")
        context.writeLine("To submit the job: roost job run \(file)")
        return plan.annotations.desiredTGUpdates.values.contains(where: \.changesAllocations) ? .failure : .success
    }

    /// `2 create, 1 create/destroy update, 3 ignore`, as Nomad words it.
    static func describe(_ updates: JobPlanGroupUpdates) -> String {
        let parts = [
            (updates.place, "create"), (updates.destructiveUpdate, "create/destroy update"), (updates.inPlaceUpdate, "in-place update"),
            (updates.canary, "canary"), (updates.stop, "destroy"), (updates.ignore, "ignore"),
        ].filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        return parts.isEmpty ? "no changes" : parts.joined(separator: ", ")
    }
}
