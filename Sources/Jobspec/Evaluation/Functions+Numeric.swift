import ClusterModel

/// abs ceil floor log max min parseint pow signum.
extension Functions {
    static let numeric: [String: FunctionDefinition] = [
        "abs": FunctionDefinition([number]) { arguments, _ throws(FunctionError) in
            .number(Swift.abs(arguments.number(0)))
        },
        "ceil": FunctionDefinition([number]) { arguments, _ throws(FunctionError) in
            .number(arguments.number(0).rounded(.up))
        },
        "floor": FunctionDefinition([number]) { arguments, _ throws(FunctionError) in
            .number(arguments.number(0).rounded(.down))
        },
        "log": FunctionDefinition([number, number]) { arguments, _ throws(FunctionError) in
            let value = arguments.number(0)
            let base = arguments.number(1)
            guard value > 0 else { throw .invalidArgument(index: 0, "the logarithm needs a positive number") }
            guard base > 0, base != 1 else {
                throw .invalidArgument(index: 1, "the base must be positive and not 1")
            }
            return try finite(MathLibrary.naturalLogarithm(value) / MathLibrary.naturalLogarithm(base))
        },
        "max": FunctionDefinition([], variadic: number, minimumCount: 1) { arguments, _ throws(FunctionError) in
            .number((0..<arguments.count).map { arguments.number($0) }.max() ?? 0)
        },
        "min": FunctionDefinition([], variadic: number, minimumCount: 1) { arguments, _ throws(FunctionError) in
            .number((0..<arguments.count).map { arguments.number($0) }.min() ?? 0)
        },
        "parseint": FunctionDefinition([string, number]) { arguments, _ throws(FunctionError) in
            let base = try arguments.integer(1)
            guard (2...62).contains(base) else { throw .invalidArgument(index: 1, "the base must be between 2 and 62") }
            guard let value = parseInteger(arguments.string(0), base: base) else {
                throw .invalidArgument(index: 0, "\(quoted(arguments.string(0))) is not a whole number in base \(base)")
            }
            return .number(value)
        },
        "pow": FunctionDefinition([number, number]) { arguments, _ throws(FunctionError) in
            try finite(MathLibrary.power(arguments.number(0), arguments.number(1)))
        },
        "signum": FunctionDefinition([number]) { arguments, _ throws(FunctionError) in
            let value = arguments.number(0)
            return .number(value > 0 ? 1 : value < 0 ? -1 : 0)
        },
    ]

    static func finite(_ value: Double) throws(FunctionError) -> DynamicValue {
        guard value.isFinite else { throw .failed("the result is not a finite number") }
        return .number(value)
    }

    /// Digits 0-9, then a-z; above base 36 the upper-case letters count from 36 (as Go's
    /// `big.Int` reads them), below it letters of either case mean the same.
    static func parseInteger(_ text: String, base: Int) -> Double? {
        var bytes = Substring(text).utf8[...]
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        guard !bytes.isEmpty else { return nil }
        var result = 0.0
        for byte in bytes {
            let digit: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte) - 48
            case UInt8(ascii: "a")...UInt8(ascii: "z"): digit = Int(byte) - 97 + 10
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): digit = Int(byte) - 65 + (base <= 36 ? 10 : 36)
            default: return nil
            }
            guard digit < base else { return nil }
            result = result * Double(base) + Double(digit)
            guard result.isFinite else { return nil }
        }
        return negative ? -result : result
    }

    static func quoted(_ text: String) -> String {
        "\"" + (text.utf8.count > 60 ? String(text.prefix(57)) + "..." : text) + "\""
    }
}
