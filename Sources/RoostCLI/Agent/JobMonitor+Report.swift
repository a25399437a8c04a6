extension JobMonitor {
    /// What `job run`, `job dispatch` and `job scale` print once following ended, and their exit
    /// status: 0 running or completed, 2 not placed completely (the reasons were printed while
    /// following), an error otherwise. `placementHint` adds what the user can do next.
    func report(_ outcome: Outcome, placementHint: String = "") throws(CommandError) -> ExitCode {
        switch outcome {
        case .running:
            context.writeLine("==> Job \"\(jobID)\" is running")
            return .success
        case .complete:
            context.writeLine("==> Job \"\(jobID)\" completed")
            return .success
        case .placementFailed:
            context.writeErrorLine(
                "error: job \"\(jobID)\" could not be placed completely (the reasons are above); what is left stays queued "
                    + "and is placed when a node that fits appears" + placementHint)
            return .placementFailed
        case .failed(let reason):
            throw .failure("job \"\(jobID)\": \(reason)")
        }
    }
}
