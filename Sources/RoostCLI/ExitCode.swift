/// The exit statuses of `roost`, as DESIGN.md §7 sets them: scripts tell a file with problems
/// (1) from a command line that was wrong (64, `EX_USAGE` of sysexits.h).
enum ExitCode: Int32, Sendable {
    case success = 0
    case failure = 1
    /// `job run`: the job was registered but some of it could not be placed (as Nomad's 2).
    case placementFailed = 2
    /// `job plan` could not plan (the job file or the agent failed), as Nomad's 255; its 1
    /// means that submitting would create or destroy allocations.
    case planFailed = 255
    case usage = 64
}
