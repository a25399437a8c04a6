import ClusterModel

/// One JSON object of a Nomad job, read field by field with the JSON path kept for errors
/// (`Job.TaskGroups[0].Tasks[1].Driver: expected a string, got number`). Field names match
/// case-insensitively, as Go's JSON decoder (and so Nomad) matches them; unknown fields are
/// ignored, as Nomad ignores them.
struct NomadJSONFields {
    let path: String
    private let entries: [String: DynamicValue]
    private let lowercased: [String: DynamicValue]

    init(_ entries: [String: DynamicValue], path: String) {
        self.entries = entries
        self.path = path
        var lowercased: [String: DynamicValue] = [:]
        for (key, value) in entries { lowercased[key.lowercased()] = value }
        self.lowercased = lowercased
    }

    /// nil for a missing field or JSON null: Nomad treats both as "use the default".
    func value(_ key: String) -> DynamicValue? {
        switch entries[key] ?? lowercased[key.lowercased()] {
        case nil, .null?: nil
        case let value?: value
        }
    }

    /// Whether the field was written at all, even as null.
    func isPresent(_ key: String) -> Bool {
        entries[key] != nil || lowercased[key.lowercased()] != nil
    }

    func failure(_ key: String, _ message: String) -> NomadJSONError {
        NomadJSONError(path: "\(path).\(key)", message: message)
    }

    func string(_ key: String) throws(NomadJSONError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw failure(key, "expected a string, got \(value.kindName)") }
        return text
    }

    func bool(_ key: String) throws(NomadJSONError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw failure(key, "expected true or false, got \(value.kindName)") }
        return flag
    }

    func integer(_ key: String, atLeast minimum: Int = .min) throws(NomadJSONError) -> Int? {
        guard let value = value(key) else { return nil }
        guard case .number(let number) = value, let whole = Int64(exactly: number), let integer = Int(exactly: whole)
        else { throw failure(key, "expected a whole number, got \(Self.shortText(value))") }
        guard integer >= minimum else { throw failure(key, "must be at least \(minimum), got \(integer)") }
        return integer
    }

    /// Durations are integer nanoseconds in Nomad's API.
    func duration(_ key: String) throws(NomadJSONError) -> Duration? {
        guard let value = value(key) else { return nil }
        guard case .number(let number) = value, let nanoseconds = Int64(exactly: number), nanoseconds >= 0 else {
            throw failure(key, "expected a duration in nanoseconds (a whole number ≥ 0), got \(Self.shortText(value))")
        }
        return .nanoseconds(nanoseconds)
    }

    func strings(_ key: String) throws(NomadJSONError) -> [String]? {
        guard let value = value(key) else { return nil }
        guard case .list(let items) = value else { throw failure(key, "expected a list of strings, got \(value.kindName)") }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item else {
                throw failure("\(key)[\(index)]", "expected a string, got \(item.kindName)")
            }
            result.append(text)
        }
        return result
    }

    func stringMap(_ key: String) throws(NomadJSONError) -> [String: String]? {
        guard let value = value(key) else { return nil }
        guard case .map(let map) = value else { throw failure(key, "expected an object of strings, got \(value.kindName)") }
        var result: [String: String] = [:]
        for (name, item) in map {
            guard case .string(let text) = item else { throw failure("\(key).\(name)", "expected a string, got \(item.kindName)") }
            result[name] = text
        }
        return result
    }

    func map(_ key: String) throws(NomadJSONError) -> [String: DynamicValue]? {
        guard let value = value(key) else { return nil }
        guard case .map(let map) = value else { throw failure(key, "expected an object, got \(value.kindName)") }
        return map
    }

    func object(_ key: String) throws(NomadJSONError) -> NomadJSONFields? {
        try map(key).map { NomadJSONFields($0, path: "\(path).\(key)") }
    }

    func objects(_ key: String) throws(NomadJSONError) -> [NomadJSONFields] {
        guard let value = value(key) else { return [] }
        guard case .list(let items) = value else { throw failure(key, "expected a list of objects, got \(value.kindName)") }
        var result: [NomadJSONFields] = []
        for (index, item) in items.enumerated() {
            guard case .map(let map) = item else {
                throw failure("\(key)[\(index)]", "expected an object, got \(item.kindName)")
            }
            result.append(NomadJSONFields(map, path: "\(path).\(key)[\(index)]"))
        }
        return result
    }

    /// A value as a user would recognise it in an error: numbers and strings as written, the
    /// rest by kind.
    static func shortText(_ value: DynamicValue) -> String {
        switch value {
        case .number(let number): NumberFormatting.string(from: number)
        case .string(let text): "\"\(text.prefix(40))\""
        default: value.kindName
        }
    }

    func choice<Choice: RawRepresentable>(_ key: String, of type: Choice.Type) throws(NomadJSONError) -> Choice?
    where Choice.RawValue == String, Choice: CaseIterable {
        guard let text = try string(key) else { return nil }
        guard let choice = Choice(rawValue: text) else {
            let allowed = Choice.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw failure(key, "\"\(text)\" is not one of \(allowed)")
        }
        return choice
    }
}

/// A Nomad JSON job that cannot become a Roost job: where (a JSON path) and what.
public struct NomadJSONError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String

    public var description: String { "\(path): \(message)" }
}
