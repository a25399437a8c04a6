/// A periodic job's `crons`: several expressions, one schedule. It fires whenever any of them
/// does (once, when two agree on an instant).
public struct CronSchedule: Sendable, Hashable {
    public let expressions: [CronExpression]

    /// Parses every expression; the first bad one is the error (with its own text in it).
    public init(parsing texts: [String]) throws(CronError) {
        guard !texts.isEmpty else {
            throw CronError("the periodic block has no cron expression: add `crons = [\"*/15 * * * *\"]`")
        }
        var parsed: [CronExpression] = []
        for text in texts { parsed.append(try CronExpression(parsing: text)) }
        expressions = parsed
    }

    /// The first instant strictly after `instant` at which any expression fires.
    public func next(after instant: Int64, in zone: CronTimeZone) -> Int64? {
        expressions.compactMap { $0.next(after: instant, in: zone) }.min()
    }

    /// The latest firing time in `(start, end]`, if any: what a launcher that was not running
    /// catches up with (only the most recent missed launch is made, not every one). Looks in a
    /// window before `end` that doubles until it finds one or covers `start`, so neither a
    /// long outage nor a schedule firing every second makes it step through every firing.
    public func latest(after start: Int64, upTo end: Int64, in zone: CronTimeZone) -> Int64? {
        guard end > start else { return nil }
        var window: Int64 = 3_600
        while true {
            let from = end - window > start ? end - window : start
            var found: Int64?
            var cursor = from
            while let candidate = next(after: cursor, in: zone), candidate <= end {
                found = candidate
                cursor = candidate
            }
            if found != nil || from == start { return found }
            window = window > Int64.max / 4 ? Int64.max / 2 : window * 2
        }
    }
}
