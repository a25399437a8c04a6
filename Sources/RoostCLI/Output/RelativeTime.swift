/// "12s ago", "3m ago", "2h5m ago", "4d ago": how long ago something happened, in the one or
/// two largest units people need to tell recent from old.
enum RelativeTime {
    static func describe(nanoseconds elapsed: Int64) -> String {
        if elapsed < 0 { return "in the future" }
        let seconds = elapsed / 1_000_000_000
        if seconds < 1 { return "just now" }
        if seconds < 60 { return "\(seconds)s ago" }
        let minutes = seconds / 60
        if minutes < 60 {
            let rest = seconds % 60
            return rest == 0 || minutes >= 10 ? "\(minutes)m ago" : "\(minutes)m\(rest)s ago"
        }
        let hours = minutes / 60
        if hours < 24 {
            let rest = minutes % 60
            return rest == 0 || hours >= 10 ? "\(hours)h ago" : "\(hours)h\(rest)m ago"
        }
        let days = hours / 24
        return "\(days)d ago"
    }

    /// A duration such as a restart delay: "15s", "1m30s", "250ms".
    static func describe(duration nanoseconds: Int64) -> String {
        if nanoseconds < 1_000_000_000 { return "\(max(0, nanoseconds) / 1_000_000)ms" }
        var seconds = nanoseconds / 1_000_000_000
        var text = ""
        if seconds >= 3600 { text += "\(seconds / 3600)h"; seconds %= 3600 }
        if seconds >= 60 { text += "\(seconds / 60)m"; seconds %= 60 }
        if seconds > 0 || text.isEmpty { text += "\(seconds)s" }
        return text
    }
}
