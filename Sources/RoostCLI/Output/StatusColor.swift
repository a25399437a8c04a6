/// Colours status words on a terminal (green running/complete, red failed/lost/dead, yellow
/// pending), so a glance finds what is wrong; plain text everywhere else.
enum StatusColor {
    static func paint(_ status: String, in context: CommandContext) -> String {
        guard context.console.supportsColor else { return status }
        let code: String
        switch status {
        case "running", "complete", "ready", "eligible", "successful": code = "32"
        case "failed", "lost", "dead", "down", "blocked": code = "31"
        case "pending", "starting", "initializing", "queued": code = "33"
        default: return status
        }
        return "\u{1B}[\(code)m\(status)\u{1B}[0m"
    }
}
