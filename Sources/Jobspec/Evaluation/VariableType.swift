import ClusterModel

/// The declared `type` of an input variable (`string`, `list(number)`, `object({…})`, …),
/// and the conversion of a given value to it, as HCL's type constraints do: `1` passes as
/// the string `"1"`, `"2"` as the number 2, a set loses its duplicates.
indirect enum VariableType: Sendable, Equatable, CustomStringConvertible {
    case any, string, number, bool
    case list(VariableType)
    case set(VariableType)
    case map(VariableType)
    /// Attributes sorted by name; an `optional(…)` attribute may be missing (it is then null).
    case object([ObjectAttribute])
    case tuple([VariableType])

    struct ObjectAttribute: Sendable, Equatable {
        var name: String
        var type: VariableType
        var isOptional: Bool
    }

    var description: String {
        switch self {
        case .any: "any"
        case .string: "string"
        case .number: "number"
        case .bool: "bool"
        case .list(let element): "list(\(element))"
        case .set(let element): "set(\(element))"
        case .map(let element): "map(\(element))"
        case .object(let attributes):
            "object({" + attributes.map { "\($0.name)=" + ($0.isOptional ? "optional(\($0.type))" : "\($0.type)") }
                .joined(separator: ", ") + "})"
        case .tuple(let elements): "tuple([" + elements.map(\.description).joined(separator: ", ") + "])"
        }
    }

    /// Primitive types take a command-line value as it is written; the others parse it as
    /// an HCL expression.
    var isPrimitive: Bool {
        switch self {
        case .any, .string, .number, .bool: true
        default: false
        }
    }

    private static let help = "write a type such as string, number, bool, any, list(string), map(number), set(string), object({ name = string }) or tuple([string, number])"

    /// Reads a type expression. Recursion follows the syntax tree.
    static func parse(_ expression: Expression) throws(EvaluationError) -> VariableType {
        switch expression {
        case .traversal(let traversal) where traversal.steps.isEmpty:
            switch traversal.root {
            case "any": return .any
            case "string": return .string
            case "number": return .number
            case "bool": return .bool
            case "list", "set", "map", "object", "tuple":
                throw EvaluationError(
                    "\"\(traversal.root)\" needs an element type, as in \(traversal.root)(string)", at: traversal.span,
                    hint: help)
            default:
                throw EvaluationError(
                    "\"\(traversal.root)\" is not a type", at: traversal.span,
                    hint: Suggestion.hint(for: traversal.root, among: ["any", "string", "number", "bool"]) ?? help)
            }
        case .literal(.string(let legacy), let span):
            // Quoted names are the HCL1 spelling, still accepted by Nomad.
            switch legacy {
            case "string": return .string
            case "list": return .list(.any)
            case "map": return .map(.any)
            default: throw EvaluationError("\"\(legacy)\" is not a type", at: span, hint: help)
            }
        case .parenthesized(let inner, _):
            return try parse(inner)
        case .functionCall(let name, let arguments, _, let span):
            guard arguments.count == 1 else {
                throw EvaluationError("\(name)(…) takes exactly one type", at: span, hint: help)
            }
            let argument = arguments[0]
            switch name {
            case "list": return .list(try parse(argument))
            case "set": return .set(try parse(argument))
            case "map": return .map(try parse(argument))
            case "tuple":
                guard case .tuple(let elements, _) = argument else {
                    throw EvaluationError("tuple(…) takes a list of types, as in tuple([string, number])", at: argument.span)
                }
                var types: [VariableType] = []
                for element in elements { types.append(try parse(element)) }
                return .tuple(types)
            case "object":
                guard case .object(let items, _) = argument else {
                    throw EvaluationError(
                        "object(…) takes attribute types, as in object({ name = string })", at: argument.span)
                }
                var attributes: [ObjectAttribute] = []
                for item in items {
                    let attributeName: String
                    switch item.key {
                    case .traversal(let traversal) where traversal.steps.isEmpty: attributeName = traversal.root
                    case .literal(.string(let text), _): attributeName = text
                    default: throw EvaluationError("an attribute name must be a plain name", at: item.key.span)
                    }
                    if case .functionCall("optional", let inner, _, let optionalSpan) = item.value {
                        guard inner.count == 1 else {
                            throw EvaluationError("optional(…) takes exactly one type", at: optionalSpan)
                        }
                        attributes.append(ObjectAttribute(name: attributeName, type: try parse(inner[0]), isOptional: true))
                    } else {
                        attributes.append(ObjectAttribute(name: attributeName, type: try parse(item.value), isOptional: false))
                    }
                }
                return .object(attributes.sorted { DynamicValue.bytewiseLess($0.name, $1.name) })
            default:
                throw EvaluationError(
                    "\"\(name)\" is not a type constructor", at: span,
                    hint: Suggestion.hint(for: name, among: ["list", "set", "map", "object", "tuple"]) ?? help)
            }
        default:
            throw EvaluationError("this is not a type", at: expression.span, hint: help)
        }
    }

    struct Mismatch: Error {
        /// Where in the value, e.g. `element 2` or `attribute "name"`; empty at the top.
        var path: [String]
        var detail: String

        var message: String {
            (path.isEmpty ? "" : path.joined(separator: ", ") + ": ") + detail
        }
    }

    /// Converts `value` to this type. Recursion follows the type, so it is bounded by the
    /// syntax tree whatever the value.
    func convert(_ value: DynamicValue) throws(Mismatch) -> DynamicValue {
        if case .null = value { return value }
        switch self {
        case .any:
            return value
        case .string:
            guard let text = value.convertedToString else { throw mismatch("a string", value) }
            return .string(text)
        case .number:
            guard let number = value.convertedToNumber else { throw mismatch("a number", value) }
            return .number(number)
        case .bool:
            guard let flag = value.convertedToBool else { throw mismatch("a bool", value) }
            return .bool(flag)
        case .list(let element), .set(let element):
            guard case .list(let items) = value else { throw mismatch("a list", value) }
            var converted: [DynamicValue] = []
            converted.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                converted.append(try Self.nested("element \(index)") { () throws(Mismatch) in try element.convert(item) })
            }
            if case .set = self { return .list(Functions.setElements(converted)) }
            return .list(converted)
        case .map(let element):
            guard case .map(let entries) = value else { throw mismatch("a map", value) }
            var converted: [String: DynamicValue] = [:]
            for key in entries.keys.sorted(by: DynamicValue.bytewiseLess) {
                let item = entries[key] ?? .null
                converted[key] = try Self.nested("key \"\(key)\"") { () throws(Mismatch) in try element.convert(item) }
            }
            return .map(converted)
        case .object(let attributes):
            guard case .map(let entries) = value else { throw mismatch("an object", value) }
            var converted: [String: DynamicValue] = [:]
            for attribute in attributes {
                guard let item = entries[attribute.name] else {
                    if attribute.isOptional {
                        converted[attribute.name] = .null
                        continue
                    }
                    throw Mismatch(path: [], detail: "the attribute \"\(attribute.name)\" is required")
                }
                converted[attribute.name] = try Self.nested("attribute \"\(attribute.name)\"") { () throws(Mismatch) in
                    try attribute.type.convert(item)
                }
            }
            return .map(converted)
        case .tuple(let elements):
            guard case .list(let items) = value else { throw mismatch("a list", value) }
            guard items.count == elements.count else {
                throw Mismatch(path: [], detail: "expected \(elements.count) elements, got \(items.count)")
            }
            var converted: [DynamicValue] = []
            for (index, pair) in zip(elements, items).enumerated() {
                converted.append(try Self.nested("element \(index)") { () throws(Mismatch) in try pair.0.convert(pair.1) })
            }
            return .list(converted)
        }
    }

    private static func nested(_ step: String, _ body: () throws(Mismatch) -> DynamicValue) throws(Mismatch)
        -> DynamicValue
    {
        do throws(Mismatch) {
            return try body()
        } catch {
            var inner = error
            inner.path.insert(step, at: 0)
            throw inner
        }
    }

    private func mismatch(_ expected: String, _ value: DynamicValue) -> Mismatch {
        let shown: String
        switch value {
        case .string(let text): shown = "the string \(Functions.quoted(text))"
        case .number(let number): shown = "the number \(NumberFormatting.string(from: number))"
        case .bool(let flag): shown = "the bool \(flag)"
        default: shown = value.describedKind
        }
        return Mismatch(path: [], detail: "expected \(expected), got \(shown)")
    }
}
