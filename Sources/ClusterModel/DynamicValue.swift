/// A JSON-shaped value: what an HCL expression evaluates to, and what a task driver's
/// free-form `config` block becomes. Drivers interpret it; the cluster only stores it.
public enum DynamicValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case list([DynamicValue])
    case map([String: DynamicValue])

    /// A short name for the kind of value, as used in diagnostics ("expected a string, got a list").
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .number: "number"
        case .string: "string"
        case .list: "list"
        case .map: "map"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([DynamicValue].self) {
            self = .list(value)
        } else {
            self = .map(try container.decode([String: DynamicValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            // Integral numbers are written without a fraction so that `count = 3` stays `3`.
            if let integral = Int64(exactly: value), abs(integral) < 1 << 53 {
                try container.encode(integral)
            } else {
                try container.encode(value)
            }
        case .string(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        case .map(let value): try container.encode(value)
        }
    }
}
