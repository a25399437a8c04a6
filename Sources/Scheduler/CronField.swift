/// One field of a cron expression as the set of values it allows (a bit per value), with
/// whether it was written starting with `*`: Vixie cron's day rule depends on that, not on
/// the values (`*/2` in day-of-month still counts as "any day" for the OR rule).
struct CronField: Sendable, Hashable {
    /// The value bit 0 of `words` stands for: 0 for every field but the year, whose values
    /// (1970-2099) would not fit a bit per value from zero.
    var origin: Int
    /// Bit `n` of the concatenated words set: value `origin + n` matches.
    var words: [UInt64]
    var isStar: Bool

    func contains(_ value: Int) -> Bool {
        let offset = value - origin
        guard offset >= 0, offset < words.count * 64 else { return false }
        return words[offset / 64] & (1 << UInt64(offset % 64)) != 0
    }

    /// The largest value allowed, if any.
    var largest: Int? {
        for word in words.indices.reversed() where words[word] != 0 {
            return origin + word * 64 + 63 - words[word].leadingZeroBitCount
        }
        return nil
    }

    private mutating func insert(_ value: Int) {
        let offset = value - origin
        words[offset / 64] |= 1 << UInt64(offset % 64)
    }

    /// What a field may hold and how it is named in messages.
    struct Kind: Sendable {
        var name: String
        var range: ClosedRange<Int>
        /// Three-letter names (JAN, MON…) and the value each stands for.
        var names: [String: Int]
        /// The range `*` stands for (day-of-week: 0-6, though 7 is also accepted for Sunday).
        var starRange: ClosedRange<Int>
        /// Values folded onto another (day-of-week 7 is Sunday, 0).
        var fold: @Sendable (Int) -> Int

        var allowsQuestionMark: Bool { name.hasPrefix("day") }
        /// The field's maximum for the small fields (as cron has always allowed); the span of
        /// years for the year field, whose maximum would make any step accepted.
        var largestStep: Int { range.lowerBound > 1 ? range.upperBound - range.lowerBound : range.upperBound }

        static let second = Kind(name: "second", range: 0...59, names: [:], starRange: 0...59, fold: { $0 })
        static let minute = Kind(name: "minute", range: 0...59, names: [:], starRange: 0...59, fold: { $0 })
        static let hour = Kind(name: "hour", range: 0...23, names: [:], starRange: 0...23, fold: { $0 })
        static let dayOfMonth = Kind(name: "day-of-month", range: 1...31, names: [:], starRange: 1...31, fold: { $0 })
        static let month = Kind(
            name: "month", range: 1...12,
            names: ["JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12],
            starRange: 1...12, fold: { $0 })
        /// Nomad's schedules may end with a year; the range is the one its cron library accepts.
        static let year = Kind(name: "year", range: 1970...2099, names: [:], starRange: 1970...2099, fold: { $0 })
        static let dayOfWeek = Kind(
            name: "day-of-week", range: 0...7, names: ["SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6],
            starRange: 0...6, fold: { $0 == 7 ? 0 : $0 })
    }

    /// Parses one field: a comma-separated list of `*`, `N`, `A-B`, each with an optional
    /// `/STEP`; `N/STEP` means from N to the field's maximum. `?` is read as `*` in the day
    /// fields (Quartz-style expressions use it there).
    init(parsing text: Substring, as kind: Kind, in expression: String) throws(CronError) {
        func failure(_ problem: String) -> CronError {
            CronError("\(kind.name) field \(problem) in `\(expression)`")
        }
        origin = kind.range.lowerBound
        words = Array(repeating: 0, count: (kind.range.upperBound - kind.range.lowerBound) / 64 + 1)
        isStar = text.first == "*" || (text.first == "?" && kind.allowsQuestionMark)
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw failure("'\(text)' has an empty list item: remove the extra comma") }
            var base = item
            var step = 1
            if let slash = item.firstIndex(of: "/") {
                base = item[..<slash]
                let stepText = item[item.index(after: slash)...]
                guard let value = Self.number(stepText), value > 0 else {
                    throw failure("'\(item)' has step '\(stepText)': a step must be a whole number of at least 1")
                }
                guard value <= kind.largestStep else {
                    throw failure("'\(item)' has step \(value), larger than the field's largest step \(kind.largestStep)")
                }
                step = value
            }
            let low: Int
            let high: Int
            if base == "*" || (base == "?" && kind.allowsQuestionMark) {
                (low, high) = (kind.starRange.lowerBound, kind.starRange.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                low = try Self.value(base[..<dash], as: kind, item: item, failure)
                high = try Self.value(base[base.index(after: dash)...], as: kind, item: item, failure)
                guard low <= high else {
                    throw failure("'\(item)' is a range that runs backwards: write the lower bound first (\(high)-\(low)), or a list")
                }
            } else {
                low = try Self.value(base, as: kind, item: item, failure)
                high = item.contains("/") ? kind.starRange.upperBound : low
            }
            var value = low
            while value <= high {
                insert(kind.fold(value))
                value += step
            }
        }
    }

    private static func value(
        _ text: Substring, as kind: Kind, item: Substring, _ failure: (String) -> CronError
    ) throws(CronError) -> Int {
        if let named = kind.names[text.uppercased()] { return named }
        guard !text.isEmpty else { throw failure("'\(item)' is missing a number") }
        if text.allSatisfy({ $0.isASCII && $0.isNumber }), number(text) == nil {
            throw failure("'\(text)' is out of range \(kind.range.lowerBound)-\(kind.range.upperBound)")
        }
        guard let number = number(text) else {
            if !kind.names.isEmpty, text.allSatisfy({ $0.isLetter }) {
                let known = kind.names.sorted { $0.value < $1.value }.map(\.key).joined(separator: " ")
                throw failure("'\(text)' is not a known name; use a number or one of \(known)")
            }
            throw failure("'\(text)' is not a number")
        }
        guard kind.range.contains(number) else {
            throw failure("'\(text)' is out of range \(kind.range.lowerBound)-\(kind.range.upperBound)")
        }
        return number
    }

    /// A plain decimal number; nil for anything else, and for numbers too long to be in any
    /// field's range (instead of overflowing).
    private static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}
