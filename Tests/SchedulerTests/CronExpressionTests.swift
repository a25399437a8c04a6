import Foundation
import Scheduler
import TestSupport
import Testing

/// Cron schedules parse the way crontab users write them and fire at the wall-clock times they
/// expect. Expected instants come from Foundation's calendar, an oracle independent of the core.
@Suite struct CronExpressionTests {
    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Seconds since the epoch of a UTC date.
    static func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Int64 {
        let date = utcCalendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
        return Int64(date.timeIntervalSince1970)
    }

    static func next(_ text: String, after instant: Int64, in zone: CronTimeZone = .utc) throws -> Int64? {
        try CronExpression(parsing: text).next(after: instant, in: zone)
    }

    static func error(_ text: String) -> String? {
        do {
            _ = try CronExpression(parsing: text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func everyFifteenMinutesFiresOnTheQuarterHours() throws {
        var instant = Self.utc(2026, 3, 1, 10, 7, 30)
        var fired: [Int64] = []
        for _ in 0..<4 {
            instant = try #require(try Self.next("*/15 * * * *", after: instant))
            fired.append(instant)
        }
        #expect(fired == [Self.utc(2026, 3, 1, 10, 15), Self.utc(2026, 3, 1, 10, 30), Self.utc(2026, 3, 1, 10, 45), Self.utc(2026, 3, 1, 11, 0)])
    }

    @Test func theNextFiringIsStrictlyAfterTheGivenInstant() throws {
        #expect(try Self.next("30 9 * * *", after: Self.utc(2026, 5, 4, 9, 30)) == Self.utc(2026, 5, 5, 9, 30))
        #expect(try Self.next("30 9 * * *", after: Self.utc(2026, 5, 4, 9, 29, 59)) == Self.utc(2026, 5, 4, 9, 30))
    }

    @Test func listsRangesAndSteppedRangesAllCount() throws {
        let after = Self.utc(2026, 1, 1)
        #expect(try Self.next("1-30/5 * * * *", after: Self.utc(2026, 1, 1, 0, 27)) == Self.utc(2026, 1, 1, 1, 1))
        #expect(try Self.next("5,20,40 3 * * *", after: Self.utc(2026, 1, 1, 3, 21)) == Self.utc(2026, 1, 1, 3, 40))
        #expect(try Self.next("10/20 * * * *", after: after) == Self.utc(2026, 1, 1, 0, 10))
        #expect(try Self.next("10/20 * * * *", after: Self.utc(2026, 1, 1, 0, 50)) == Self.utc(2026, 1, 1, 1, 10))
        #expect(try Self.next("0 9-17/4 * * *", after: Self.utc(2026, 1, 1, 13, 1)) == Self.utc(2026, 1, 1, 17, 0))
    }

    @Test func monthAndWeekdayNamesWorkInAnyCase() throws {
        // 2026-01-01 is a Thursday; the next Monday-to-Friday 08:00 in March is Monday 2 March.
        #expect(try Self.next("0 8 * mar mon-fri", after: Self.utc(2026, 1, 1)) == Self.utc(2026, 3, 2, 8))
        #expect(try Self.next("0 8 * MAR,Jun SAT", after: Self.utc(2026, 3, 31)) == Self.utc(2026, 6, 6, 8))
    }

    @Test func sundayIsBothZeroAndSeven() throws {
        let after = Self.utc(2026, 1, 1) // a Thursday
        let sunday = Self.utc(2026, 1, 4, 6)
        #expect(try Self.next("0 6 * * 0", after: after) == sunday)
        #expect(try Self.next("0 6 * * 7", after: after) == sunday)
        #expect(try Self.next("0 6 * * SUN", after: after) == sunday)
        #expect(try Self.next("0 6 * * 6-7", after: after) == Self.utc(2026, 1, 3, 6))
    }

    @Test func whenBothDayFieldsAreRestrictedEitherOneMatches() throws {
        // The 13th, or any Friday: Friday 2 January 2026 comes first, then Friday the 9th, then the 13th (a Tuesday).
        var instant = Self.utc(2026, 1, 1)
        var fired: [Int64] = []
        for _ in 0..<3 {
            instant = try #require(try Self.next("0 0 13 * FRI", after: instant))
            fired.append(instant)
        }
        #expect(fired == [Self.utc(2026, 1, 2), Self.utc(2026, 1, 9), Self.utc(2026, 1, 13)])
        // With a star in day-of-week only day-of-month counts, and the reverse.
        #expect(try Self.next("0 0 13 * *", after: Self.utc(2026, 1, 1)) == Self.utc(2026, 1, 13))
        // A stepped star still counts as a star (Vixie): the 1st, 11th, 21st or 31st that is a Friday.
        #expect(try Self.next("0 0 */10 * FRI", after: Self.utc(2026, 1, 1)) == Self.utc(2026, 5, 1))
        #expect(try Self.next("0 0 * * FRI", after: Self.utc(2026, 1, 2)) == Self.utc(2026, 1, 9))
    }

    @Test func shortcutsStandForTheirUsualSchedules() throws {
        let after = Self.utc(2026, 2, 14, 13, 45) // a Saturday
        #expect(try Self.next("@hourly", after: after) == Self.utc(2026, 2, 14, 14))
        #expect(try Self.next("@daily", after: after) == Self.utc(2026, 2, 15))
        #expect(try Self.next("@weekly", after: after) == Self.utc(2026, 2, 15))
        #expect(try Self.next("@monthly", after: after) == Self.utc(2026, 3, 1))
        #expect(try Self.next("@yearly", after: after) == Self.utc(2027, 1, 1))
        #expect(try Self.next("@ANNUALLY", after: after) == Self.utc(2027, 1, 1))
    }

    @Test func aSixthFieldIsTheYearAsInNomad() throws {
        // `0 12 * * * 2028`: noon every day, but only in 2028.
        #expect(try Self.next("0 12 * * * 2028", after: Self.utc(2026, 1, 1)) == Self.utc(2028, 1, 1, 12))
        #expect(try Self.next("0 12 * * * 2028", after: Self.utc(2028, 12, 31, 12)) == nil)
        #expect(try Self.next("30 9 1 1 * 2027-2099/10", after: Self.utc(2026, 1, 1)) == Self.utc(2027, 1, 1, 9, 30))
        #expect(try Self.next("30 9 1 1 * 2027-2099/10", after: Self.utc(2027, 1, 1, 9, 30)) == Self.utc(2037, 1, 1, 9, 30))
        // A year far beyond the 30 years searched for schedules without one is still found.
        #expect(try Self.next("0 0 1 1 * 2090", after: Self.utc(2026, 1, 1)) == Self.utc(2090, 1, 1))
        #expect(try Self.next("*/15 * * * * *", after: Self.utc(2026, 1, 1, 0, 7)) == Self.utc(2026, 1, 1, 0, 15))
    }

    @Test func sevenFieldsPutSecondsFirstAndTheYearLast() throws {
        #expect(try Self.next("*/20 * * * * * *", after: Self.utc(2026, 1, 1, 0, 0, 41)) == Self.utc(2026, 1, 1, 0, 1, 0))
        #expect(try Self.next("30 0 12 * * * 2026", after: Self.utc(2026, 1, 1)) == Self.utc(2026, 1, 1, 12, 0, 30))
        #expect(Self.error("0 0 0 1 1 * 1969")?.hasPrefix("year field '1969' is out of range 1970-2099") == true)
    }

    @Test func februaryTheTwentyNinthWaitsForALeapYear() throws {
        #expect(try Self.next("0 0 29 2 *", after: Self.utc(2026, 3, 1)) == Self.utc(2028, 2, 29))
        #expect(try Self.next("0 0 31 * *", after: Self.utc(2026, 4, 1)) == Self.utc(2026, 5, 31))
    }

    @Test func aFixedOffsetZoneShiftsTheWallClock() throws {
        let tokyo = CronTimeZone.fixed(name: "Asia/Tokyo", secondsEastOfUTC: 9 * 3_600)
        // 09:00 in Tokyo is 00:00 UTC.
        #expect(try Self.next("0 9 * * *", after: Self.utc(2026, 6, 1, 1), in: tokyo) == Self.utc(2026, 6, 2, 0))
    }

    /// America/New_York in 2026, by hand: EDT (-4) from 8 March 07:00 UTC to 1 November 06:00 UTC.
    static let newYork2026 = CronTimeZone(name: "America/New_York") { instant in
        (instant >= utc(2026, 3, 8, 7) && instant < utc(2026, 11, 1, 6)) ? -4 * 3_600 : -5 * 3_600
    }

    @Test func aWallTimeSkippedBySpringForwardFiresWhenTheGapEnds() throws {
        // 02:30 does not exist on 8 March 2026 in New York: it fires at 03:00 EDT (07:00 UTC), once.
        let fired = try Self.next("30 2 * * *", after: Self.utc(2026, 3, 8, 5), in: Self.newYork2026)
        #expect(fired == Self.utc(2026, 3, 8, 7))
        #expect(try Self.next("30 2 * * *", after: Self.utc(2026, 3, 8, 7), in: Self.newYork2026) == Self.utc(2026, 3, 9, 6, 30))
        // Every quarter hour: 01:45 EST, then the whole skipped hour collapses onto 03:00 EDT, then 03:15.
        var instant = Self.utc(2026, 3, 8, 6, 40)
        var times: [Int64] = []
        for _ in 0..<3 {
            instant = try #require(try Self.next("*/15 * * * *", after: instant, in: Self.newYork2026))
            times.append(instant)
        }
        #expect(times == [Self.utc(2026, 3, 8, 6, 45), Self.utc(2026, 3, 8, 7, 0), Self.utc(2026, 3, 8, 7, 15)])
    }

    @Test func aWallTimeRepeatedByFallBackFiresOnce() throws {
        // 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST) on 1 November 2026.
        let first = try #require(try Self.next("30 1 * * *", after: Self.utc(2026, 11, 1, 0), in: Self.newYork2026))
        #expect(first == Self.utc(2026, 11, 1, 5, 30))
        #expect(try Self.next("30 1 * * *", after: first, in: Self.newYork2026) == Self.utc(2026, 11, 2, 6, 30))
        // Asked from inside the repeated hour, the repeated time is not fired again.
        #expect(try Self.next("30 1 * * *", after: Self.utc(2026, 11, 1, 6, 10), in: Self.newYork2026) == Self.utc(2026, 11, 2, 6, 30))
    }

    @Test func everyPossibleMistakeIsNamedWithItsFieldAndTheExpression() {
        #expect(Self.error("61 * * * *") == "minute field '61' is out of range 0-59 in `61 * * * *`")
        #expect(Self.error("0 24 * * *") == "hour field '24' is out of range 0-23 in `0 24 * * *`")
        #expect(Self.error("0 0 0 * *") == "day-of-month field '0' is out of range 1-31 in `0 0 0 * *`")
        #expect(Self.error("0 0 * 13 *") == "month field '13' is out of range 1-12 in `0 0 * 13 *`")
        #expect(Self.error("0 0 * * 8") == "day-of-week field '8' is out of range 0-7 in `0 0 * * 8`")
        #expect(Self.error("0 0 * FOO *")?.contains("month field 'FOO' is not a known name; use a number or one of JAN FEB") == true)
        #expect(Self.error("*/0 * * * *")?.hasPrefix("minute field '*/0' has step '0': a step must be a whole number of at least 1") == true)
        #expect(Self.error("30-10 * * * *")?.hasPrefix("minute field '30-10' is a range that runs backwards") == true)
        #expect(Self.error("1,,2 * * * *")?.hasPrefix("minute field '1,,2' has an empty list item") == true)
        #expect(Self.error("* * *")?.hasPrefix("the cron expression `* * *` has 3 fields; write 5") == true)
        #expect(Self.error("* * * * * * * *")?.contains("has 8 fields; write 5 (minute hour day-of-month month day-of-week), 6 (a year last) or 7") == true)
        #expect(Self.error("")?.hasPrefix("the cron expression is empty") == true)
        #expect(Self.error("@fortnightly")?.hasPrefix("unknown cron shortcut '@fortnightly'") == true)
        #expect(Self.error("0 0 30 2 *")?.contains("never matches a real date") == true)
        #expect(Self.error("99999999999999999999 * * * *") == "minute field '99999999999999999999' is out of range 0-59 in `99999999999999999999 * * * *`")
        #expect(Self.error("a-b * * * *") == "minute field 'a' is not a number in `a-b * * * *`")
        #expect(Self.error("*/5 * * * *") == nil)
    }

    @Test func garbageNeverCrashesTheParser() {
        var random = SplitMix64(seed: 8)
        let alphabet = Array("0123456789*/-,? @MONJAFEBxyz\t")
        for _ in 0..<3_000 {
            let text = String((0..<Int.random(in: 0...24, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            if let expression = try? CronExpression(parsing: text) {
                _ = expression.next(after: Self.utc(2026, 1, 1), in: .utc)
            }
        }
    }

    /// The core agrees with a minute-by-minute walk through Foundation's calendar on random
    /// schedules: the oracle checks every field, and the Vixie day rule, on its own.
    @Test func randomSchedulesAgreeWithAMinuteByMinuteWalk() throws {
        var random = SplitMix64(seed: 42)
        func field(_ range: ClosedRange<Int>) -> (text: String, values: Set<Int>, star: Bool) {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return ("*", Set(range), true)
            case 1:
                let step = Int.random(in: 1...max(1, (range.upperBound - range.lowerBound) / 2), using: &random)
                return ("*/\(step)", Set(stride(from: range.lowerBound, through: range.upperBound, by: step)), true)
            case 2:
                let low = Int.random(in: range, using: &random)
                let high = Int.random(in: low...range.upperBound, using: &random)
                return ("\(low)-\(high)", Set(low...high), false)
            default:
                let values = Set((0..<Int.random(in: 1...3, using: &random)).map { _ in Int.random(in: range, using: &random) })
                return (values.sorted().map(String.init).joined(separator: ","), values, false)
            }
        }
        for _ in 0..<60 {
            let minute = field(0...59), hour = field(0...23), dom = field(1...31), month = field(1...12), dow = field(0...6)
            let text = [minute.text, hour.text, dom.text, month.text, dow.text].joined(separator: " ")
            guard let expression = try? CronExpression(parsing: text) else { continue }
            let start = Self.utc(2026, Int.random(in: 1...12, using: &random), Int.random(in: 1...28, using: &random), 13, 7)
            let answer = expression.next(after: start, in: .utc)
            // The oracle: the first minute after `start` (within 60 days) all fields allow.
            var oracle: Int64?
            var candidate = (start / 60 + 1) * 60
            while candidate < start + 60 * 86_400 {
                let parts = Self.utcCalendar.dateComponents(
                    [.minute, .hour, .day, .month, .weekday], from: Date(timeIntervalSince1970: TimeInterval(candidate)))
                let byMonth = dom.values.contains(parts.day!)
                let byWeek = dow.values.contains(parts.weekday! - 1)
                let dayMatches = (dom.star || dow.star) ? (byMonth && byWeek) : (byMonth || byWeek)
                if minute.values.contains(parts.minute!), hour.values.contains(parts.hour!), month.values.contains(parts.month!), dayMatches {
                    oracle = candidate
                    break
                }
                candidate += 60
            }
            if let oracle {
                #expect(answer == oracle, "`\(text)` after \(start)")
            } else if let answer {
                #expect(answer >= start + 60 * 86_400, "`\(text)` after \(start)")
            }
        }
    }

    @Test func aScheduleOfSeveralCronsFiresAtTheEarliestAndCatchesUpWithTheLatestMissed() throws {
        let schedule = try CronSchedule(parsing: ["0 12 * * *", "30 6 * * *"])
        #expect(schedule.next(after: Self.utc(2026, 1, 1, 7), in: .utc) == Self.utc(2026, 1, 1, 12))
        #expect(schedule.next(after: Self.utc(2026, 1, 1, 12), in: .utc) == Self.utc(2026, 1, 2, 6, 30))
        // Down from 1 January 13:00 to 4 January 08:00: only the last missed firing is made.
        #expect(schedule.latest(after: Self.utc(2026, 1, 1, 13), upTo: Self.utc(2026, 1, 4, 8), in: .utc) == Self.utc(2026, 1, 4, 6, 30))
        #expect(schedule.latest(after: Self.utc(2026, 1, 1, 13), upTo: Self.utc(2026, 1, 1, 14), in: .utc) == nil)
        let yearly = try CronSchedule(parsing: ["@yearly"])
        #expect(yearly.latest(after: Self.utc(2020, 6, 1), upTo: Self.utc(2026, 6, 1), in: .utc) == Self.utc(2026, 1, 1))
        #expect(throws: CronError.self) { try CronSchedule(parsing: []) }
    }
}
