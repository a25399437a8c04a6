extension CronExpression {
    /// The latest instant `next` looks at: the end of year 9999. Beyond it there is no answer
    /// rather than an overflow.
    static let lastInstant: Int64 = 253_402_300_799
    /// How far ahead a schedule without a year is searched. Such a schedule matches at least
    /// every 8 years (February 29th skips at most one leap year), so this bound is never hit by
    /// one; a schedule with years is searched up to its last year.
    static let searchYears: Int64 = 30

    /// The first instant strictly after `instant` (seconds since the Unix epoch) at which the
    /// schedule fires, reading its fields as wall-clock time in `zone`; nil if none within
    /// `searchYears`.
    ///
    /// Daylight-saving changes: a wall time that does not exist (the hour skipped in spring)
    /// fires at the first instant after the gap, once however many of its times fell inside it;
    /// a wall time that happens twice (the hour repeated in autumn) fires once, at its first
    /// occurrence.
    public func next(after instant: Int64, in zone: CronTimeZone) -> Int64? {
        guard instant < Self.lastInstant, instant > -Self.lastInstant else { return nil }
        var cursor = instant + zone.offset(instant)
        // Each pass moves the wall-clock cursor forward, so this ends; the bound is for safety.
        for _ in 0..<100_000 {
            guard let wall = nextWallTime(after: cursor) else { return nil }
            cursor = wall
            // The offsets in effect a day before and after: different only around a change.
            let before = zone.offset(wall - CronCalendar.secondsPerDay)
            let after = zone.offset(wall + CronCalendar.secondsPerDay)
            let candidates = Set([wall - before, wall - after]).filter { zone.offset($0) == wall - $0 }.sorted()
            if let first = candidates.first {
                // One occurrence, or the first of two: never the second one of a repeated time.
                if first > instant { return first }
                continue
            }
            // The wall time falls in a gap: fire when the gap ends, at the change itself.
            let change = firstChange(from: wall - after, to: wall - before, in: zone)
            if change > instant { return change }
        }
        return nil
    }

    /// The first instant in `(start, end]` whose offset differs from the one at `start`.
    private func firstChange(from start: Int64, to end: Int64, in zone: CronTimeZone) -> Int64 {
        let initial = zone.offset(start)
        var low = start
        var high = max(end, start + 1)
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if zone.offset(middle) == initial { low = middle } else { high = middle }
        }
        return high
    }

    /// The first wall-clock time strictly after `wall` (seconds since the epoch as if local time
    /// were UTC) that all fields match. Moves field by field: a wrong month skips to the next
    /// month, a wrong day to the next day, and so on.
    func nextWallTime(after wall: Int64) -> Int64? {
        guard wall < Self.lastInstant, wall > -Self.lastInstant else { return nil }
        let day = CronCalendar.secondsPerDay
        var time = wall + 1
        let limit = years?.largest.map(Int64.init) ?? CronCalendar.date(days: CronCalendar.floorDivide(time, day)).year + Self.searchYears
        while time <= Self.lastInstant {
            let days = CronCalendar.floorDivide(time, day)
            let secondOfDay = time - days * day
            let date = CronCalendar.date(days: days)
            guard date.year <= limit else { return nil }
            if let years, !years.contains(Int(date.year)) {
                time = CronCalendar.days(year: date.year + 1, month: 1, day: 1) * day
                continue
            }
            if !months.contains(Int(date.month)) {
                let nextMonth = date.month == 12 ? (date.year + 1, Int64(1)) : (date.year, date.month + 1)
                time = CronCalendar.days(year: nextMonth.0, month: nextMonth.1, day: 1) * day
                continue
            }
            if !matchesDay(dayOfMonth: Int(date.day), weekday: Int(CronCalendar.weekday(days: days))) {
                time = (days + 1) * day
                continue
            }
            let hour = secondOfDay / 3_600
            let minute = secondOfDay % 3_600 / 60
            let second = secondOfDay % 60
            if !hours.contains(Int(hour)) {
                time = days * day + (hour + 1) * 3_600
                continue
            }
            if !minutes.contains(Int(minute)) {
                time = days * day + hour * 3_600 + (minute + 1) * 60
                continue
            }
            if !seconds.contains(Int(second)) {
                time += 1
                continue
            }
            return time
        }
        return nil
    }
}
