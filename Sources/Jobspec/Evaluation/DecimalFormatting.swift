/// Fixed-point text for `format("%.2f", x)` without Foundation: the exact decimal value of
/// the double is expanded with a small big-integer and then rounded half to even, which is
/// what Go's (and C's) `%f` print.
enum DecimalFormatting {
    static func fixed(_ value: Double, precision: Int) -> String {
        guard value.isFinite else { return value.description }
        let (integerDigits, fractionDigits) = exactDigits(of: Swift.abs(value))
        var integer = integerDigits
        var fraction = fractionDigits
        if fraction.count > precision {
            let rest = fraction[precision...]
            fraction = Array(fraction[..<precision])
            let first = rest.first ?? 0
            let tail = rest.dropFirst().contains { $0 != 0 }
            let lastKept = fraction.last ?? integer.last ?? 0
            if first > 5 || (first == 5 && (tail || lastKept % 2 == 1)) {
                roundUp(&integer, &fraction)
            }
        } else {
            fraction += [UInt8](repeating: 0, count: precision - fraction.count)
        }
        let negative = value.sign == .minus && (integer.contains { $0 != 0 } || fraction.contains { $0 != 0 })
        var text = negative ? "-" : ""
        text += String(decoding: integer.map { $0 + 48 }, as: UTF8.self)
        if precision > 0 {
            text += "." + String(decoding: fraction.map { $0 + 48 }, as: UTF8.self)
        }
        return text
    }

    private static func roundUp(_ integer: inout [UInt8], _ fraction: inout [UInt8]) {
        var index = fraction.count - 1
        while index >= 0 {
            if fraction[index] == 9 { fraction[index] = 0; index -= 1 } else { fraction[index] += 1; return }
        }
        index = integer.count - 1
        while index >= 0 {
            if integer[index] == 9 { integer[index] = 0; index -= 1 } else { integer[index] += 1; return }
        }
        integer.insert(1, at: 0)
    }

    /// The decimal digits of a finite, non-negative double, exactly: `m × 2^e` is `m × 5^-e`
    /// shifted `-e` places right when `e` is negative.
    static func exactDigits(of value: Double) -> (integer: [UInt8], fraction: [UInt8]) {
        let exponentBits = Int(value.exponentBitPattern)
        var significand = value.significandBitPattern
        var exponent: Int
        if exponentBits == 0 {
            exponent = -1074
        } else {
            significand |= 1 << 52
            exponent = exponentBits - 1075
        }
        var number = LargeDecimal(significand)
        if exponent >= 0 {
            while exponent > 0 {
                let step = min(exponent, 29)
                number.multiply(by: UInt32(1) << UInt32(step))
                exponent -= step
            }
            return (number.digits, [])
        }
        var shift = -exponent
        let places = shift
        while shift > 0 {
            let step = min(shift, 12)
            var factor: UInt32 = 1
            for _ in 0..<step { factor *= 5 }
            number.multiply(by: factor)
            shift -= step
        }
        var digits = number.digits
        if digits.count <= places {
            digits = [UInt8](repeating: 0, count: places - digits.count + 1) + digits
        }
        let split = digits.count - places
        return (Array(digits[..<split]), Array(digits[split...]))
    }
}

/// An unsigned integer in base 10⁹ limbs (least significant first), just big enough for
/// `DecimalFormatting`: it only multiplies by small factors and prints its digits.
private struct LargeDecimal {
    private static let base: UInt64 = 1_000_000_000
    private var limbs: [UInt32]

    init(_ value: UInt64) {
        limbs = []
        var rest = value
        repeat {
            limbs.append(UInt32(rest % Self.base))
            rest /= Self.base
        } while rest > 0
    }

    mutating func multiply(by factor: UInt32) {
        var carry: UInt64 = 0
        for index in limbs.indices {
            let product = UInt64(limbs[index]) * UInt64(factor) + carry
            limbs[index] = UInt32(product % Self.base)
            carry = product / Self.base
        }
        while carry > 0 {
            limbs.append(UInt32(carry % Self.base))
            carry /= Self.base
        }
    }

    var digits: [UInt8] {
        var result: [UInt8] = []
        for (position, limb) in limbs.reversed().enumerated() {
            var chunk: [UInt8] = []
            var rest = limb
            repeat {
                chunk.append(UInt8(rest % 10))
                rest /= 10
            } while rest > 0
            if position > 0 { chunk += [UInt8](repeating: 0, count: 9 - chunk.count) }
            result += chunk.reversed()
        }
        return result
    }
}
