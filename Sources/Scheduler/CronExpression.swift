/// One cron schedule, parsed: the 5-field form (`minute hour day-of-month month day-of-week`),
/// the 6-field form with a year last, the 7-field form with seconds first and a year last (the
/// forms Nomad's periodic jobs accept, so their schedules mean the same here), or a shortcut
/// (`@hourly` … `@yearly`). Pure: it never
/// reads a clock or a time-zone database; `next(after:in:)` is given both.
///
/// Days follow Vixie cron, which is what users of crontab (and of Nomad) expect: when both
/// day-of-month and day-of-week are restricted, a day matches if EITHER does (`0 0 1 * MON`
/// is the 1st of each month and every Monday); when either starts with `*`, both must match.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written, for messages and `job status`.
    public let text: String
    let seconds: CronField
    let minutes: CronField
    let hours: CronField
    let daysOfMonth: CronField
    let months: CronField
    let daysOfWeek: CronField
    /// nil when the schedule names no year or writes `*`: every year matches, with no upper bound.
    let years: CronField?

    public var description: String { text }

    /// What each shortcut stands for.
    static let shortcuts: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    /// The longest expression accepted: far above any real schedule, so a huge input is refused
    /// before any work is done on it.
    static let maximumLength = 1_024

    public init(parsing text: String) throws(CronError) {
        self.text = text
        guard text.utf8.count <= Self.maximumLength else {
            throw CronError("the cron expression is \(text.utf8.count) bytes long; at most \(Self.maximumLength) are allowed")
        }
        let trimmed = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        guard !trimmed.isEmpty else {
            throw CronError("the cron expression is empty: write 5 fields such as `*/15 * * * *` (every 15 minutes) or a shortcut such as `@daily`")
        }
        var expanded = trimmed
        if trimmed.hasPrefix("@") {
            guard let fields = Self.shortcuts[trimmed.lowercased()] else {
                throw CronError("unknown cron shortcut '\(trimmed)' in `\(text)`: use @hourly, @daily, @weekly, @monthly, @yearly or @annually, or 5 fields")
            }
            expanded = fields
        }
        var fields = expanded.split(separator: " ")
        switch fields.count {
        case 5: fields = ["0"] + fields + ["*"]
        case 6: fields.insert("0", at: 0)
        case 7: break
        default:
            throw CronError(
                "the cron expression `\(text)` has \(fields.count) field\(fields.count == 1 ? "" : "s"); write 5 (minute hour day-of-month month day-of-week), 6 (a year last) or 7 (seconds first and a year last)")
        }
        seconds = try CronField(parsing: fields[0], as: .second, in: text)
        minutes = try CronField(parsing: fields[1], as: .minute, in: text)
        hours = try CronField(parsing: fields[2], as: .hour, in: text)
        daysOfMonth = try CronField(parsing: fields[3], as: .dayOfMonth, in: text)
        months = try CronField(parsing: fields[4], as: .month, in: text)
        daysOfWeek = try CronField(parsing: fields[5], as: .dayOfWeek, in: text)
        years = fields[6] == "*" ? nil : try CronField(parsing: fields[6], as: .year, in: text)
        guard canEverMatch else {
            throw CronError("the cron expression `\(text)` never matches a real date: no month of the ones given has the day-of-month given")
        }
    }

    /// Whether the day (day of month 1…31, weekday 0 = Sunday) is one the schedule runs on.
    func matchesDay(dayOfMonth: Int, weekday: Int) -> Bool {
        let byMonth = daysOfMonth.contains(dayOfMonth)
        let byWeek = daysOfWeek.contains(weekday)
        if daysOfMonth.isStar || daysOfWeek.isStar { return byMonth && byWeek }
        return byMonth || byWeek
    }

    /// Rejects schedules such as `0 0 30 2 *` (February 30th), which would otherwise be
    /// accepted and silently never run. Only day-of-month alone can make that happen.
    private var canEverMatch: Bool {
        if !daysOfWeek.isStar && !daysOfMonth.isStar { return true }
        let longest = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        for month in 1...12 where months.contains(month) {
            if (1...longest[month - 1]).contains(where: { daysOfMonth.contains($0) }) { return true }
        }
        return false
    }
}
