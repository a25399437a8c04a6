import ClusterModel

/// Reading typed settings out of evaluated values. HCL converts between primitives, so a
/// string that spells a number is a number (`mbits = "100"`) and a number is a string
/// (`value = 3`); anything else is an error at the value, saying what was expected and what
/// was found.
extension DecodingSession {
    mutating func string(_ name: String, in content: BlockContent) -> String? {
        guard let index = content.index(of: name) else { return nil }
        return string(at: index, in: content, named: name)
    }

    private mutating func string(at index: Int, in content: BlockContent, named name: String) -> String? {
        if let text = Self.text(of: content.attributes[index].value) { return text }
        error(
            "\(name) must be a string, got \(Self.describe(content.attributes[index].value))",
            at: content.attributes[index].valueSpan)
        return nil
    }

    /// A whole number, optionally within bounds; strings that spell one are accepted.
    mutating func wholeNumber(
        _ name: String, in content: BlockContent, atLeast minimum: Int? = nil, atMost maximum: Int? = nil
    ) -> Int? {
        guard let index = content.index(of: name) else { return nil }
        let span = content.attributes[index].valueSpan
        guard let number = wholeNumber(content.attributes[index].value, named: name, at: span) else { return nil }
        let tooSmall = minimum.map { number < $0 } ?? false
        let tooLarge = maximum.map { number > $0 } ?? false
        guard !tooSmall, !tooLarge else {
            let bounds =
                switch (minimum, maximum) {
                case (let low?, let high?): "between \(low) and \(high)"
                case (let low?, nil): "at least \(low)"
                case (nil, let high?): "at most \(high)"
                case (nil, nil): "valid"
                }
            error("\(name) must be \(bounds), got \(number)", at: span)
            return nil
        }
        return number
    }

    mutating func wholeNumber(_ value: DynamicValue, named name: String, at span: SourceSpan) -> Int? {
        switch value {
        case .number(let number):
            if let whole = Int(exactly: number) { return whole }
            if number.isFinite, number.rounded(.towardZero) == number {
                error("\(name) is too large, got \(NumberFormatting.string(from: number))", at: span)
            } else {
                error("\(name) must be a whole number, got \(Self.describe(value))", at: span)
            }
            return nil
        case .string(let text):
            if let whole = Int(text) { return whole }
            // Decimal notation only, as HCL converts: Swift's parser would also take "0x10" or "nan".
            let decimal = !text.isEmpty && text.utf8.allSatisfy { "0123456789+-.eE".utf8.contains($0) }
            if decimal, let number = Double(text), let whole = Int(exactly: number) { return whole }
            error("\(name) must be a whole number, got \(Self.describe(value))", at: span)
            return nil
        default:
            error("\(name) must be a whole number, got \(Self.describe(value))", at: span)
            return nil
        }
    }

    mutating func bool(_ name: String, in content: BlockContent) -> Bool? {
        guard let index = content.index(of: name) else { return nil }
        switch content.attributes[index].value {
        case .bool(let flag): return flag
        case .string("true"): return true
        case .string("false"): return false
        default:
            error(
                "\(name) must be true or false, got \(Self.describe(content.attributes[index].value))",
                at: content.attributes[index].valueSpan)
            return nil
        }
    }

    /// A duration in Go syntax (`"30s"`), or a number of nanoseconds; never negative here,
    /// since no jobspec setting means anything by a negative time.
    mutating func duration(_ name: String, in content: BlockContent) -> Duration? {
        guard let index = content.index(of: name) else { return nil }
        let span = content.attributes[index].valueSpan
        let parsed: Duration
        switch content.attributes[index].value {
        case .string(let text):
            switch DurationParser.parse(text) {
            case .success(let duration): parsed = duration
            case .failure(let failure):
                error(
                    "\(name) is not a valid duration: \(failure.reason) in \"\(Self.shortened(text))\"", at: span,
                    hint: DurationParser.acceptedForms)
                return nil
            }
        case .number(let number):
            guard let nanoseconds = Int64(exactly: number) else {
                error(
                    "\(name) must be a duration, got \(Self.describe(content.attributes[index].value))", at: span,
                    hint: "a number is read as whole nanoseconds; " + DurationParser.acceptedForms)
                return nil
            }
            parsed = .nanoseconds(nanoseconds)
        default:
            error(
                "\(name) must be a duration, got \(Self.describe(content.attributes[index].value))", at: span,
                hint: DurationParser.acceptedForms)
            return nil
        }
        if parsed < .zero {
            error("\(name) must not be negative", at: span)
            return nil
        }
        return parsed
    }

    mutating func stringList(_ name: String, in content: BlockContent) -> [String]? {
        guard let index = content.index(of: name) else { return nil }
        return stringList(content.attributes[index].value, named: name, at: content.attributes[index].valueSpan)
    }

    mutating func stringList(_ value: DynamicValue, named name: String, at span: SourceSpan) -> [String]? {
        switch value {
        case .list(let items):
            var strings: [String] = []
            for (index, item) in items.enumerated() {
                guard let text = Self.text(of: item) else {
                    error(
                        "\(name) must be a list of strings, but item \(index + 1) is \(Self.describe(item))", at: span)
                    return nil
                }
                strings.append(text)
            }
            return strings
        case .string(let text):
            error(
                "\(name) must be a list of strings, got \(Self.describe(value))", at: span,
                hint: "write [\"\(Self.shortened(text))\"]")
            return nil
        default:
            error("\(name) must be a list of strings, got \(Self.describe(value))", at: span)
            return nil
        }
    }

    /// One of a fixed set of words, with a did-you-mean hint for near misses.
    mutating func choice(_ name: String, in content: BlockContent, among options: [String]) -> String? {
        guard let index = content.index(of: name), let text = string(at: index, in: content, named: name) else {
            return nil
        }
        if options.contains(text) { return text }
        reportNoChoice(name, text: text, among: options, at: content.attributes[index].valueSpan)
        return nil
    }

    mutating func choice<Choice: RawRepresentable & CaseIterable>(
        _ name: String, in content: BlockContent, as type: Choice.Type
    ) -> Choice? where Choice.RawValue == String {
        guard let index = content.index(of: name), let text = string(at: index, in: content, named: name) else {
            return nil
        }
        if let choice = Choice(rawValue: text) { return choice }
        reportNoChoice(name, text: text, among: Choice.allCases.map(\.rawValue), at: content.attributes[index].valueSpan)
        return nil
    }

    private mutating func reportNoChoice(_ name: String, text: String, among options: [String], at span: SourceSpan) {
        error(
            "\(name) must be \(Self.alternatives(options)), got \"\(Self.shortened(text))\"", at: span,
            hint: Suggestion.hint(for: text, among: options))
    }

    /// The entries of a free-form map written either as a block (`meta { k = "v" }`) or as an
    /// attribute holding a map (`meta = { k = "v" }`), each with the span to blame.
    mutating func mapEntries(_ name: String, in content: BlockContent) -> [(key: String, value: DynamicValue, span: SourceSpan)]? {
        if let index = content.index(of: name) {
            let span = content.attributes[index].valueSpan
            guard case .map(let entries) = content.attributes[index].value else {
                reportNotAMap(name, content.attributes[index].value, at: span)
                return nil
            }
            return entries.sorted { $0.key < $1.key }.map { ($0.key, $0.value, span) }
        }
        guard let blockIndex = mapBlock(name, in: content) else { return nil }
        return content.knownBlocks[blockIndex].body.attributes.filter { $0.value != .null }.map {
            ($0.name, $0.value, $0.valueSpan)
        }
    }

    private mutating func reportNotAMap(_ name: String, _ value: DynamicValue, at span: SourceSpan) {
        error(
            "\(name) must be a map or a block, got \(Self.describe(value))", at: span,
            hint: "write \(name) { key = \"value\" }")
    }

    /// Where the block form of a free-form map is, after reporting what such a block may not hold.
    private mutating func mapBlock(_ name: String, in content: BlockContent) -> Int? {
        guard let index = content.blockIndex(of: name) else { return nil }
        if let label = content.knownBlocks[index].labels.first {
            error("\(name) block takes no labels", at: label.span, hint: "write \(name) { … }")
        }
        let nestedBlocks = content.knownBlocks[index].body.blocks
        for nested in nestedBlocks.indices {
            error(
                "\(name) holds only attributes, but \(nestedBlocks[nested].type) is a block",
                at: nestedBlocks[nested].typeSpan, hint: "write \(nestedBlocks[nested].type) = \"…\"")
        }
        return index
    }

    /// A map of strings (`meta`, `env`, artifact `options`): numbers and bools become text,
    /// as HCL converts them; lists and maps are errors. Built straight from the value or the
    /// block, without the intermediate entry list of `mapEntries`: every task has a few.
    mutating func stringMap(_ name: String, in content: BlockContent) -> [String: String]? {
        if let index = content.index(of: name) {
            let span = content.attributes[index].valueSpan
            guard case .map(let entries) = content.attributes[index].value else {
                reportNotAMap(name, content.attributes[index].value, at: span)
                return nil
            }
            var result = [String: String](minimumCapacity: entries.count)
            var rejected: [String] = []
            for (key, value) in entries {
                if let text = Self.text(of: value) {
                    result[key] = text
                } else {
                    rejected.append(key)
                }
            }
            // In key order, as the map's own order is arbitrary.
            for key in rejected.sorted() {
                reportNotAString(name, key: key, value: entries[key] ?? .null, at: span)
            }
            return result
        }
        guard let blockIndex = mapBlock(name, in: content) else { return nil }
        let attributes = content.knownBlocks[blockIndex].body.attributes
        var result = [String: String](minimumCapacity: attributes.count)
        for index in attributes.indices {
            if case .null = attributes[index].value { continue }
            if let text = Self.text(of: attributes[index].value) {
                result[attributes[index].name] = text
            } else {
                reportNotAString(
                    name, key: attributes[index].name, value: attributes[index].value, at: attributes[index].valueSpan)
            }
        }
        return result
    }

    private mutating func reportNotAString(_ name: String, key: String, value: DynamicValue, at span: SourceSpan) {
        error(
            "\(name) values must be strings, numbers or bools, but \"\(key)\" is \(Self.describe(value))", at: span)
    }

    /// A primitive as text, the way HCL converts it; nil for lists, maps and null.
    static func text(of value: DynamicValue) -> String? {
        switch value {
        case .string(let text): text
        case .number(let number): NumberFormatting.string(from: number)
        case .bool(let flag): flag ? "true" : "false"
        case .null, .list, .map: nil
        }
    }

    /// "a string \"x\"", "the number 1.5", "a list of 2 items": what the user actually wrote.
    static func describe(_ value: DynamicValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): "the number \(NumberFormatting.string(from: number))"
        case .string(let text): "a string \"\(shortened(text))\""
        case .list(let items): items.isEmpty ? "an empty list" : "a list of \(items.count) item\(items.count == 1 ? "" : "s")"
        case .map(let entries): entries.isEmpty ? "an empty map" : "a map"
        }
    }

    /// Keeps messages one line long even when a value is a whole file.
    static func shortened(_ text: String, limit: Int = 40) -> String {
        var result = ""
        var count = 0
        for character in text {
            if count == limit { return result + "…" }
            result.append(character == "\n" ? "⏎" : character)
            count += 1
        }
        return result
    }

    /// `"a, b or c"`, quoted.
    static func alternatives(_ options: [String]) -> String {
        let quoted = options.map { "\"\($0)\"" }
        guard quoted.count > 1 else { return quoted.first ?? "" }
        return "one of " + quoted.dropLast().joined(separator: ", ") + " or " + (quoted.last ?? "")
    }
}
