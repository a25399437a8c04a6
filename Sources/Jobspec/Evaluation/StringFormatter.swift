import ClusterModel

/// The `format` mini-language: `%s %d %f %.2f %v %q %t %x %X %o %b %%`, with the flags
/// `-` (left-align), `+`, space, `0` (zero padding) and a width and precision. Numbers become
/// text as everywhere else in HCL (`format("id:%s", 1)` is `id:1`).
enum StringFormatter {
    /// `firstArgumentIndex` is the position of `arguments[0]` in the function call, so that
    /// errors name the argument the user wrote.
    static func format(_ specification: String, arguments: [DynamicValue], firstArgumentIndex: Int) throws(FunctionError)
        -> String
    {
        let scalars = Array(specification.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        var nextArgument = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            guard scalar == "%" else {
                output.append(scalar)
                continue
            }
            var directive = Directive()
            while index < scalars.count, let flag = Flag(rawValue: Character(scalars[index])) {
                directive.flags.insert(flag)
                index += 1
            }
            directive.width = try readCount(scalars, &index)
            if index < scalars.count, scalars[index] == "." {
                index += 1
                directive.precision = try readCount(scalars, &index) ?? 0
            }
            guard index < scalars.count else {
                throw .invalidArgument(index: 0, "the format ends in the middle of a \"%\" directive")
            }
            let verb = scalars[index]
            index += 1
            if verb == "%" {
                output.append("%")
                continue
            }
            guard nextArgument < arguments.count else {
                throw .invalidArgument(index: 0, "not enough arguments for the \"%\(verb)\" directives")
            }
            let argumentIndex = firstArgumentIndex + nextArgument
            let text = try render(arguments[nextArgument], verb: verb, directive: directive, argument: argumentIndex)
            nextArgument += 1
            output.append(contentsOf: pad(text, directive).unicodeScalars)
            if output.count > EvaluationBudget.maximumStringBytes {
                throw .failed(EvaluationBudget.stringTooLongMessage)
            }
        }
        if nextArgument < arguments.count {
            throw .invalidArgument(
                index: firstArgumentIndex + nextArgument,
                "too many arguments: the format uses \(nextArgument), got \(arguments.count)")
        }
        return String(output)
    }

    private enum Flag: Character {
        case leftAlign = "-"
        case plus = "+"
        case space = " "
        case zero = "0"
        case alternate = "#"
    }

    private struct Directive {
        var flags: Set<Flag> = []
        var width: Int?
        var precision: Int?
    }

    private static func readCount(_ scalars: [Unicode.Scalar], _ index: inout Int) throws(FunctionError) -> Int? {
        var value: Int?
        while index < scalars.count, (48...57).contains(scalars[index].value) {
            value = (value ?? 0) * 10 + Int(scalars[index].value - 48)
            if (value ?? 0) > EvaluationBudget.maximumStringBytes {
                throw .invalidArgument(index: 0, "a width or precision in the format is too large")
            }
            index += 1
        }
        return value
    }

    private static func render(_ value: DynamicValue, verb: Unicode.Scalar, directive: Directive, argument: Int)
        throws(FunctionError) -> String
    {
        func mismatch(_ expected: String) -> FunctionError {
            .invalidArgument(index: argument, "\"%\(verb)\" needs \(expected), got \(value.describedKind)")
        }
        switch verb {
        case "v":
            switch value {
            case .null: return "null"
            case .list, .map:
                guard let text = try? JSONWriter.encode(value) else { throw .failed(EvaluationBudget.stringTooLongMessage) }
                return text
            default:
                return value.convertedToString ?? ""
            }
        case "s":
            guard let text = value.convertedToString else { throw mismatch("a string") }
            if let precision = directive.precision { return String(text.unicodeScalars.prefix(precision)) }
            return text
        case "q":
            guard let text = value.convertedToString else { throw mismatch("a string") }
            var quoted = ""
            JSONStringLiteral.append(text, to: &quoted, style: .plain)
            return quoted
        case "t":
            guard let flag = value.convertedToBool else { throw mismatch("a bool") }
            return flag ? "true" : "false"
        case "d", "x", "X", "o", "b":
            if verb == "x" || verb == "X", case .string(let text) = value, DynamicValue.parseNumber(text) == nil {
                let hex = text.utf8.map { byte in
                    let digits = Array((verb == "x" ? "0123456789abcdef" : "0123456789ABCDEF").utf8)
                    return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
                }
                return hex.joined()
            }
            guard let number = value.convertedToNumber else { throw mismatch("a number") }
            guard let integer = Int64(exactly: number) else { throw mismatch("a whole number") }
            let radix = verb == "d" ? 10 : verb == "o" ? 8 : verb == "b" ? 2 : 16
            let magnitude = String(integer.magnitude, radix: radix, uppercase: verb == "X")
            return sign(integer < 0, directive) + magnitude
        case "f", "F":
            guard let number = value.convertedToNumber else { throw mismatch("a number") }
            let text = DecimalFormatting.fixed(Swift.abs(number), precision: directive.precision ?? 6)
            let isNegative = number < 0 && text.utf8.contains { $0 != UInt8(ascii: "0") && $0 != UInt8(ascii: ".") }
            return sign(isNegative, directive) + text
        default:
            throw .invalidArgument(index: 0, "unsupported directive \"%\(verb)\"")
        }
    }

    private static func sign(_ negative: Bool, _ directive: Directive) -> String {
        if negative { return "-" }
        if directive.flags.contains(.plus) { return "+" }
        if directive.flags.contains(.space) { return " " }
        return ""
    }

    private static func pad(_ text: String, _ directive: Directive) -> String {
        guard let width = directive.width else { return text }
        let missing = width - text.unicodeScalars.count
        guard missing > 0 else { return text }
        if directive.flags.contains(.leftAlign) { return text + String(repeating: " ", count: missing) }
        if directive.flags.contains(.zero) {
            let signEnd = text.first.map { "+- ".contains($0) } == true ? 1 : 0
            return String(text.prefix(signEnd)) + String(repeating: "0", count: missing) + String(text.dropFirst(signEnd))
        }
        return String(repeating: " ", count: missing) + text
    }
}
