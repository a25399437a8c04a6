/// Short human text for durations in task events ("15s", "1m30s", "250ms"), so messages read
/// like the ones Nomad users know without depending on a formatter.
public enum DurationText {
    public static func format(_ duration: Duration) -> String {
        let nanoseconds = duration.totalNanoseconds
        if nanoseconds <= 0 { return "0s" }
        if nanoseconds < 1_000_000_000 {
            let milliseconds = nanoseconds / 1_000_000
            return milliseconds > 0 ? "\(milliseconds)ms" : "\(nanoseconds)ns"
        }
        var seconds = nanoseconds / 1_000_000_000
        let hours = seconds / 3600
        seconds -= hours * 3600
        let minutes = seconds / 60
        seconds -= minutes * 60
        var text = ""
        if hours > 0 { text += "\(hours)h" }
        if minutes > 0 { text += "\(minutes)m" }
        if seconds > 0 || text.isEmpty { text += "\(seconds)s" }
        return text
    }
}
