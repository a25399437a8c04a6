import ClusterModel

/// Reading typed settings out of evaluated values. HCL converts between primitives, so a
/// string that spells a number is a number (`mbits = "100"`) and a number is a string
/// (`value = 3`); anything else is an error at the value, saying what was expected and what
/// was found.
extension DecodingSession {
    mutating func string(_ name: String, in content: BlockContent) -> String? {
        guard let attribute = content[name] else { return nil }
        return string(of: attribute, named: name)
    }

    private mutating func string(of attribute: EvaluatedAttribute, named name: String) -> String? {
        if let text = Self.text(of: attribute.value) { return text }
        error("\(name) must be a string, got \(Self.describe(attribute.value))", at: attribute.valueSpan)
        return nil
    }

    /// A whole number, optionally within bounds; strings that spell one are accepted.
    mutating func wholeNumber(
        _ name: String, in content: BlockContent, atLeast minimum: Int? = nil, atMost maximum: Int? = nil
    ) -> Int? {
        guard let attribute = content[name] else { return nil }
        guard let number = wholeNumber(attribute.value, named: name, at: attribute.valueSpan) else { return nil }
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
            error("\(name) must be \(bounds), got \(number)", at: attribute.valueSpan)
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
        guard let attribute = content[name] else { return nil }
        switch attribute.value {
        case .bool(let flag): return flag
        case .string("true"): return true
        case .string("false"): return false
        default:
            error("\(name) must be true or false, got \(Self.describe(attribute.value))", at: attribute.valueSpan)
            return nil
        }
    }

    /// A duration in Go syntax (`"30s"`), or a number of nanoseconds; never negative here,
    /// since no jobspec setting means anything by a negative time.
    mutating func duration(_ name: String, in content: BlockContent) -> Duration? {
        guard let attribute = content[name] else { return nil }
        let span = attribute.valueSpan
        let parsed: Duration
        switch attribute.value {
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
                    "\(name) must be a duration, got \(Self.describe(attribute.value))", at: span,
                    hint: "a number is read as whole nanoseconds; " + DurationParser.acceptedForms)
                return nil
            }
            parsed = .nanoseconds(nanoseconds)
        default:
            error(
                "\(name) must be a duration, got \(Self.describe(attribute.value))", at: span,
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
        guard let attribute = content[name] else { return nil }
        return stringList(attribute.value, named: name, at: attribute.valueSpan)
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
        guard let attribute = content[name], let text = string(of: attribute, named: name) else { return nil }
        if options.contains(text) { return text }
        reportNoChoice(name, text: text, among: options, at: attribute.valueSpan)
        return nil
    }

    mutating func choice<Choice: RawRepresentable & CaseIterable>(
        _ name: String, in content: BlockContent, as type: Choice.Type
    ) -> Choice? where Choice.RawValue == String {
        guard let attribute = content[name], let text = string(of: attribute, named: name) else { return nil }
        if let choice = Choice(rawValue: text) { return choice }
        reportNoChoice(name, text: text, among: Choice.allCases.map(\.rawValue), at: attribute.valueSpan)
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
        if let attribute = content[name] {
            guard case .map(let entries) = attribute.value else {
                reportNotAMap(name, attribute)
                return nil
            }
            return entries.sorted { $0.key < $1.key }.map { ($0.key, $0.value, attribute.valueSpan) }
        }
        guard let block = mapBlock(name, in: content) else { return nil }
        return block.body.attributes.filter { $0.value != .null }.map { ($0.name, $0.value, $0.valueSpan) }
    }

    private mutating func reportNotAMap(_ name: String, _ attribute: EvaluatedAttribute) {
        error(
            "\(name) must be a map or a block, got \(Self.describe(attribute.value))", at: attribute.valueSpan,
            hint: "write \(name) { key = \"value\" }")
    }

    /// The block form of a free-form map, after reporting what such a block may not hold.
    private mutating func mapBlock(_ name: String, in content: BlockContent) -> EvaluatedBlock? {
        guard let block = content.block(name) else { return nil }
        if let label = block.labels.first {
            error("\(name) block takes no labels", at: label.span, hint: "write \(name) { … }")
        }
        for nested in block.body.blocks {
            error(
                "\(name) holds only attributes, but \(nested.type) is a block", at: nested.typeSpan,
                hint: "write \(nested.type) = \"…\"")
        }
        return block
    }

    /// A map of strings (`meta`, `env`, artifact `options`): numbers and bools become text,
    /// as HCL converts them; lists and maps are errors. Built straight from the value or the
    /// block, without the intermediate entry list of `mapEntries`: every task has a few.
    mutating func stringMap(_ name: String, in content: BlockContent) -> [String: String]? {
        if let attribute = content[name] {
            guard case .map(let entries) = attribute.value else {
                reportNotAMap(name, attribute)
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
                reportNotAString(name, key: key, value: entries[key] ?? .null, at: attribute.valueSpan)
            }
            return result
        }
        guard let block = mapBlock(name, in: content) else { return nil }
        var result = [String: String](minimumCapacity: block.body.attributes.count)
        for attribute in block.body.attributes {
            if case .null = attribute.value { continue }
            if let text = Self.text(of: attribute.value) {
                result[attribute.name] = text
            } else {
                reportNotAString(name, key: attribute.name, value: attribute.value, at: attribute.valueSpan)
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
