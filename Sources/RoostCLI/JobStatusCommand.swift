import API
import ClusterModel
import Foundation

/// `roost job status [JOB]`: every job as a table, or one job with its groups and allocations.
enum JobStatusCommand: Command {
    static let name = "status"
    static let abstract = "List jobs, or show one job with its groups and allocations."
    static let usage = "[JOB] [--json] [--address URL]"
    static var options: [OptionDescription] { [AgentClient.jsonOption, AgentClient.addressOption] }

    static func run(_ arguments: ParsedArguments, in context: CommandContext) async throws(CommandError) -> ExitCode {
        guard arguments.positionals.count <= 1 else {
            throw .usage("\"\(context.commandPath)\" takes at most one JOB, got \(arguments.positionals.count)")
        }
        let client = try AgentClient.connect(arguments, in: context)
        let json = arguments.flag("json") == true
        guard let jobID = arguments.positionals.first else {
            if json {
                context.writeLine(try await client.getText("/v1/jobs"))
                return .success
            }
            let (jobs, _) = try await client.get("/v1/jobs", as: [JobListStub].self)
            guard !jobs.isEmpty else {
                context.writeLine("No jobs. Submit one with \"roost job run FILE\".")
                return .success
            }
            var table = Table("ID", "Type", "Priority", "Status", "Submitted")
            let now = Timestamp.current
            for job in jobs.sorted(by: { $0.id < $1.id }) {
                table.append([
                    job.id, job.type.rawValue, String(job.priority), StatusColor.paint(job.status.rawValue, in: context),
                    RelativeTime.describe(nanoseconds: (now - job.submitTime).totalNanoseconds),
                ])
            }
            context.console.writeOutput(table.rendered())
            return .success
        }
        let escaped = AgentClient.escape(jobID)
        if json {
            context.writeLine(try await client.getText("/v1/job/\(escaped)"))
            return .success
        }
        let (job, _) = try await client.get("/v1/job/\(escaped)", as: JobDetail.self)
        let (summary, _) = try await client.get("/v1/job/\(escaped)/summary", as: JobSummary.self)
        let (allocations, _) = try await client.get("/v1/job/\(escaped)/allocations", as: [AllocationListStub].self)
        let (evaluations, _) = try await client.get("/v1/job/\(escaped)/evaluations", as: [Evaluation].self)
        let now = Timestamp.current

        var header = Table("Field", "Value")
        header.append(["ID", job.id])
        header.append(["Name", job.name])
        header.append(["Type", job.type.rawValue])
        header.append(["Priority", String(job.priority)])
        header.append(["Datacenters", job.datacenters.joined(separator: ",")])
        header.append(["Status", StatusColor.paint(job.status.rawValue + (job.stop ? " (stopped)" : ""), in: context)])
        header.append(["Version", String(job.version)])
        header.append(["Submitted", RelativeTime.describe(nanoseconds: (now - job.submitTime).totalNanoseconds)])
        context.console.writeOutput(fieldLines(header))

        // A periodic parent runs nothing itself: its children do (a parameterized parent's
        // dispatched children get their own section below).
        let (children, _) = try await client.get("/v1/jobs?prefix=\(AgentClient.escape(jobID + "/"))", as: [JobListStub].self)
        let ownChildren = children.filter { $0.parentID == job.id }.sorted { $0.submitTime > $1.submitTime }
        if !ownChildren.isEmpty, job.parameterizedJob == nil {
            context.writeLine("\nChildren")
            var table = Table("ID", "Status", "Submitted")
            for child in ownChildren {
                table.append([child.id, StatusColor.paint(child.status.rawValue, in: context), RelativeTime.describe(nanoseconds: (now - child.submitTime).totalNanoseconds)])
            }
            context.console.writeOutput(table.rendered())
        }

        context.writeLine("\nSummary")
        var groups = Table("Task Group", "Queued", "Starting", "Running", "Failed", "Complete", "Lost")
        for (name, counts) in summary.summary.sorted(by: { $0.key < $1.key }) {
            groups.append([name] + [counts.queued, counts.starting, counts.running, counts.failed, counts.complete, counts.lost].map(String.init))
        }
        context.console.writeOutput(groups.rendered())

        // The newest evaluation that could not place everything explains why a group is stuck.
        if let stuck = evaluations.first(where: { !$0.failedGroupAllocations.isEmpty && ($0.status == .blocked || $0.status == .complete) }),
           summary.summary.values.contains(where: { $0.queued > 0 })
        {
            context.writeLine("\nPlacement Failure")
            for (group, metrics) in stuck.failedGroupAllocations.sorted(by: { $0.key < $1.key }) {
                context.writeLine("Task Group \"\(group)\": \(metrics.summary())")
            }
        }

        if job.parameterizedJob != nil {
            try await JobDispatchCommand.writeChildren(of: job.id, client: client, in: context)
        }

        let preempted = allocations.filter { $0.desiredStatus != .run && $0.desiredDescription.hasPrefix("Preempted by") }
        if !preempted.isEmpty {
            // Work stopped for a higher-priority job: say by whom, since nothing failed.
            context.writeLine("\nPreempted Allocations")
            var table = Table("ID", "Node ID", "Task Group", "Description")
            for allocation in preempted {
                table.append([allocation.id.short, allocation.nodeID.short, allocation.groupName, allocation.desiredDescription])
            }
            context.console.writeOutput(table.rendered())
        }

        context.writeLine("\nAllocations")
        guard !allocations.isEmpty else {
            context.writeLine("No allocations placed")
            return .success
        }
        var table = Table("ID", "Node ID", "Task Group", "Version", "Desired", "Status", "Created", "Modified")
        for allocation in allocations {
            table.append([
                allocation.id.short, allocation.nodeID.short, allocation.groupName, String(allocation.jobVersion),
                allocation.desiredStatus.rawValue, StatusColor.paint(allocation.clientStatus.rawValue, in: context),
                RelativeTime.describe(nanoseconds: (now - allocation.createTime).totalNanoseconds),
                RelativeTime.describe(nanoseconds: (now - allocation.modifyTime).totalNanoseconds),
            ])
        }
        context.console.writeOutput(table.rendered())
        return .success
    }

    /// `Name  = value` lines, as Nomad prints an object's fields.
    static func fieldLines(_ table: Table) -> String {
        let width = table.rows.map { Table.visibleWidth($0[0]) }.max() ?? 0
        return table.rows.map { $0[0] + String(repeating: " ", count: width - Table.visibleWidth($0[0])) + " = " + $0[1] }
            .joined(separator: "\n") + "\n"
    }
}

extension Timestamp {
    /// The wall clock now; the CLI is a shell and may read it.
    static var current: Timestamp {
        Timestamp(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1_000_000_000))
    }
}
