import ClusterModel

/// chomp format formatlist indent join lower upper replace split strrev substr title trim
/// trimprefix trimsuffix trimspace startswith endswith. Comparisons and searches work on
/// bytes, as Go's (and so Nomad's) do; positions and lengths count user-perceived characters.
extension Functions {
    static let strings: [String: FunctionDefinition] = [
        "chomp": FunctionDefinition([string]) { arguments, _ throws(FunctionError) in
            var scalars = Array(arguments.string(0).unicodeScalars)
            while let last = scalars.last, last == "\n" || last == "\r" { scalars.removeLast() }
            return .string(String(String.UnicodeScalarView(scalars)))
        },
        "format": FunctionDefinition([string], variadic: anyOrNull) { arguments, context throws(FunctionError) in
            let text = try StringFormatter.format(
                arguments.string(0), arguments: Array(arguments.values.dropFirst()), firstArgumentIndex: 1)
            return try context.produced(text)
        },
        "formatlist": FunctionDefinition([string], variadic: anyOrNull) { arguments, context throws(FunctionError) in
            try formatList(arguments, context: &context)
        },
        "indent": FunctionDefinition([number, string]) { arguments, context throws(FunctionError) in
            let width = try arguments.integer(0)
            guard width >= 0 else { throw .invalidArgument(index: 0, "the indentation must not be negative") }
            try context.checkLength(width)
            let text = arguments.string(1)
            let lineCount = text.utf8.count(where: { $0 == UInt8(ascii: "\n") })
            try context.checkLength(text.utf8.count + width * lineCount)
            let padding = String(repeating: " ", count: width)
            var result = ""
            for scalar in text.unicodeScalars {
                result.unicodeScalars.append(scalar)
                if scalar == "\n" { result += padding }
            }
            return try context.produced(result)
        },
        "join": FunctionDefinition([string], variadic: list, minimumCount: 2) { arguments, context throws(FunctionError) in
            var parts: [String] = []
            var length = 0
            for index in 1..<arguments.count {
                for part in try arguments.strings(index) {
                    length += part.utf8.count + arguments.string(0).utf8.count
                    try context.checkLength(length)
                    parts.append(part)
                }
            }
            return try context.produced(parts.joined(separator: arguments.string(0)))
        },
        "lower": FunctionDefinition([string]) { arguments, context throws(FunctionError) in
            try context.produced(arguments.string(0).lowercased())
        },
        "upper": FunctionDefinition([string]) { arguments, context throws(FunctionError) in
            try context.produced(arguments.string(0).uppercased())
        },
        "replace": FunctionDefinition([string, string, string]) { arguments, context throws(FunctionError) in
            let text = arguments.string(0)
            let search = arguments.string(1)
            let replacement = arguments.string(2)
            if search.isEmpty {
                // Like Go: the replacement goes before every character and at the end.
                let scalarCount = text.unicodeScalars.count
                try context.checkLength(text.utf8.count + (scalarCount + 1) * replacement.utf8.count)
                var result = replacement
                for scalar in text.unicodeScalars {
                    result.unicodeScalars.append(scalar)
                    result += replacement
                }
                return try context.produced(result)
            }
            let textBytes = Array(text.utf8)
            let matches = ByteSearch.ranges(of: Array(search.utf8), in: textBytes)
            try context.checkLength(textBytes.count + matches.count * max(0, replacement.utf8.count - search.utf8.count))
            var result: [UInt8] = []
            var position = 0
            for match in matches {
                result.append(contentsOf: textBytes[position..<match.lowerBound])
                result.append(contentsOf: replacement.utf8)
                position = match.upperBound
            }
            result.append(contentsOf: textBytes[position...])
            return try context.produced(String(decoding: result, as: UTF8.self))
        },
        "split": FunctionDefinition([string, string]) { arguments, context throws(FunctionError) in
            let separator = Array(arguments.string(0).utf8)
            let text = arguments.string(1)
            if separator.isEmpty {
                return try context.produced(text.unicodeScalars.map { DynamicValue.string(String($0)) })
            }
            let bytes = Array(text.utf8)
            var pieces: [DynamicValue] = []
            var position = 0
            for match in ByteSearch.ranges(of: separator, in: bytes) {
                pieces.append(.string(String(decoding: bytes[position..<match.lowerBound], as: UTF8.self)))
                position = match.upperBound
            }
            pieces.append(.string(String(decoding: bytes[position...], as: UTF8.self)))
            return try context.produced(pieces)
        },
        "strrev": FunctionDefinition([string]) { arguments, _ throws(FunctionError) in
            .string(String(arguments.string(0).reversed()))
        },
        "substr": FunctionDefinition([string, number, number]) { arguments, _ throws(FunctionError) in
            let characters = Array(arguments.string(0))
            var offset = try arguments.integer(1)
            let length = try arguments.integer(2)
            if offset < 0 { offset = max(0, characters.count + offset) }
            guard offset < characters.count else { return .string("") }
            let end = length < 0 ? characters.count : min(characters.count, offset + length)
            return .string(String(characters[offset..<end]))
        },
        "title": FunctionDefinition([string]) { arguments, _ throws(FunctionError) in
            var result = ""
            var atWordStart = true
            for character in arguments.string(0) {
                let inWord = character.isLetter || character.isNumber || character == "_" || character == "'"
                result += atWordStart && inWord ? character.uppercased() : String(character)
                atWordStart = !inWord
            }
            return .string(result)
        },
        "trim": FunctionDefinition([string, string]) { arguments, _ throws(FunctionError) in
            let cutset = Set(arguments.string(1).unicodeScalars)
            return .string(trimmed(arguments.string(0)) { cutset.contains($0) })
        },
        "trimprefix": FunctionDefinition([string, string]) { arguments, _ throws(FunctionError) in
            let text = arguments.string(0)
            let prefix = arguments.string(1)
            guard text.utf8.starts(with: prefix.utf8) else { return .string(text) }
            return .string(String(decoding: text.utf8.dropFirst(prefix.utf8.count), as: UTF8.self))
        },
        "trimsuffix": FunctionDefinition([string, string]) { arguments, _ throws(FunctionError) in
            let text = arguments.string(0)
            let suffix = arguments.string(1)
            guard text.utf8.reversed().starts(with: suffix.utf8.reversed()) else { return .string(text) }
            return .string(String(decoding: text.utf8.dropLast(suffix.utf8.count), as: UTF8.self))
        },
        "trimspace": FunctionDefinition([string]) { arguments, _ throws(FunctionError) in
            .string(trimmed(arguments.string(0)) { $0.properties.isWhitespace })
        },
        "startswith": FunctionDefinition([string, string]) { arguments, _ throws(FunctionError) in
            .bool(arguments.string(0).utf8.starts(with: arguments.string(1).utf8))
        },
        "endswith": FunctionDefinition([string, string]) { arguments, _ throws(FunctionError) in
            .bool(arguments.string(0).utf8.reversed().starts(with: arguments.string(1).utf8.reversed()))
        },
    ]

    static func trimmed(_ text: String, where shouldTrim: (Unicode.Scalar) -> Bool) -> String {
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.firstIndex(where: { !shouldTrim($0) }),
            let last = scalars.lastIndex(where: { !shouldTrim($0) })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    /// `formatlist("%s:%d", names, 80)`: list arguments are walked together (they must have
    /// the same length), other arguments are repeated for every element.
    private static func formatList(_ arguments: FunctionArguments, context: inout FunctionContext) throws(FunctionError)
        -> DynamicValue
    {
        var length: Int?
        for index in 1..<max(1, arguments.count) {
            guard case .list(let items) = arguments[index] else { continue }
            if let length, length != items.count {
                throw .invalidArgument(index: index, "all lists must have the same length (\(length)), this one has \(items.count)")
            }
            length = items.count
        }
        let rowCount = length ?? 1
        try context.checkCount(rowCount)
        var rows: [DynamicValue] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var rowArguments: [DynamicValue] = []
            for index in 1..<max(1, arguments.count) {
                if case .list(let items) = arguments[index] { rowArguments.append(items[row]) } else {
                    rowArguments.append(arguments[index])
                }
            }
            let text = try StringFormatter.format(arguments.string(0), arguments: rowArguments, firstArgumentIndex: 1)
            rows.append(try context.produced(text))
        }
        return try context.produced(rows)
    }
}
