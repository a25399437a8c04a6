/// Reads durations the way Nomad users write them: Go's `time.ParseDuration` syntax
/// (`"10s"`, `"1h30m"`, `"1.5h"`, `"500ms"`, `"2us"`, `"0"`). Written by hand because the
/// jobspec layer may not use Foundation, and so that every failure can say what was wrong.
public enum DurationParser {
    /// Why a text is not a duration, phrased to follow `"… is not a valid duration: "`.
    public struct Failure: Error, Sendable, Hashable {
        public var reason: String
    }

    /// The units Go accepts, with their length in nanoseconds. `µs` (micro sign) and `μs`
    /// (Greek mu) are both accepted, as Go does.
    static let units: [(name: String, nanoseconds: UInt64)] = [
        ("ns", 1), ("us", 1_000), ("\u{00B5}s", 1_000), ("\u{03BC}s", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    /// What to show a user whose duration was rejected.
    public static let acceptedForms =
        "write a number followed by a unit (ns, us, ms, s, m, h), e.g. \"30s\", \"1h30m\", \"1.5h\" or \"500ms\""

    public static func parse(_ text: String) -> Result<Duration, Failure> {
        // Read in place: durations are on every task and check, and copying each into an
        // array cost more than parsing it.
        if let result = text.utf8.withContiguousStorageIfAvailable({ parse(bytes: $0) }) { return result }
        return Array(text.utf8).withUnsafeBufferPointer { parse(bytes: $0) }
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Result<Duration, Failure> {
        var position = 0
        let end = bytes.count
        guard end > 0 else { return .failure(Failure(reason: "it is empty")) }
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            position = 1
        }
        // A bare zero needs no unit, as in Go.
        if end - position == 1, bytes[position] == UInt8(ascii: "0") { return .success(.zero) }
        guard position < end else { return .failure(Failure(reason: "a sign must be followed by a number and a unit")) }

        var total: UInt64 = 0
        // Go allows exactly 2^63 ns only for a negative duration.
        let limit: UInt64 = negative ? 1 << 63 : (1 << 63) - 1
        while position < end {
            // The number: digits, optionally a fraction; at least one digit somewhere.
            var whole: UInt64 = 0
            var wholeOverflowed = false
            var digitCount = 0
            while position < end, isDigit(bytes[position]) {
                let (product, overflow1) = whole.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = product.addingReportingOverflow(UInt64(bytes[position] - UInt8(ascii: "0")))
                if overflow1 || overflow2 { wholeOverflowed = true }
                whole = sum
                digitCount += 1
                position += 1
            }
            var fraction: UInt64 = 0
            var fractionScale: UInt64 = 1
            if position < end, bytes[position] == UInt8(ascii: ".") {
                position += 1
                while position < end, isDigit(bytes[position]) {
                    // Digits beyond nanosecond precision of an hour cannot change the result.
                    if fractionScale < 1_000_000_000_000_000_000 {
                        fraction = fraction * 10 + UInt64(bytes[position] - UInt8(ascii: "0"))
                        fractionScale *= 10
                    }
                    digitCount += 1
                    position += 1
                }
            }
            guard digitCount > 0 else {
                let rest = String(decoding: UnsafeBufferPointer(rebasing: bytes[position...]), as: UTF8.self)
                return .failure(Failure(reason: "expected a number where \"\(rest)\" begins"))
            }
            // The unit: everything up to the next digit or dot.
            let unitStart = position
            while position < end, !isDigit(bytes[position]), bytes[position] != UInt8(ascii: ".") { position += 1 }
            let unitBytes = UnsafeBufferPointer(rebasing: bytes[unitStart..<position])
            guard !unitBytes.isEmpty else {
                return .failure(Failure(reason: "a number needs a unit (such as s or m)"))
            }
            guard let unitNanoseconds = nanoseconds(ofUnit: unitBytes) else {
                return .failure(Failure(reason: "unknown unit \"\(String(decoding: unitBytes, as: UTF8.self))\""))
            }
            if wholeOverflowed { return .failure(Failure(reason: "it is too long (the limit is about 292 years)")) }
            let (wholePart, overflow) = whole.multipliedReportingOverflow(by: unitNanoseconds)
            // fraction < fractionScale ≤ 10^18 and unit ≤ 3.6·10^12: compute without overflow
            // by splitting the unit into a multiple of the scale and a remainder.
            let fractionPart = scaledFraction(fraction, scale: fractionScale, unit: unitNanoseconds)
            let (segment, overflow2) = wholePart.addingReportingOverflow(fractionPart)
            let (newTotal, overflow3) = total.addingReportingOverflow(segment)
            if overflow || overflow2 || overflow3 || newTotal > limit {
                return .failure(Failure(reason: "it is too long (the limit is about 292 years)"))
            }
            total = newTotal
        }
        if negative {
            return .success(.nanoseconds(total == 1 << 63 ? Int64.min : -Int64(total)))
        }
        return .success(.nanoseconds(Int64(total)))
    }

    /// The length of a unit written as these bytes, from `units`.
    private static func nanoseconds(ofUnit unit: UnsafeBufferPointer<UInt8>) -> UInt64? {
        // The common ASCII units without walking the table.
        if unit.count == 1 {
            switch unit[0] {
            case UInt8(ascii: "s"): return 1_000_000_000
            case UInt8(ascii: "m"): return 60_000_000_000
            case UInt8(ascii: "h"): return 3_600_000_000_000
            default: return nil
            }
        }
        if unit.count == 2, unit[1] == UInt8(ascii: "s") {
            switch unit[0] {
            case UInt8(ascii: "n"): return 1
            case UInt8(ascii: "u"): return 1_000
            case UInt8(ascii: "m"): return 1_000_000
            default: break
            }
        }
        for candidate in units where candidate.name.utf8.elementsEqual(unit) {
            return candidate.nanoseconds
        }
        return nil
    }

    /// `fraction / scale × unit`, rounded down, without overflowing 64 bits.
    private static func scaledFraction(_ fraction: UInt64, scale: UInt64, unit: UInt64) -> UInt64 {
        guard fraction > 0 else { return 0 }
        // Go truncates the product as a float; exact integer math gives the same nanoseconds.
        let (high, low) = fraction.multipliedFullWidth(by: unit)
        if high >= scale { return .max }
        return scale.dividingFullWidth((high: high, low: low)).quotient
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// A duration as whole nanoseconds, the unit of Nomad's JSON API; clamped at the ends of
    /// `Int64` (about ±292 years) instead of trapping.
    public static func nanoseconds(of duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }
}
