import ClusterModel

/// tostring tonumber tobool tolist tomap toset. Null converts to null, as in HCL.
extension Functions {
    static let conversions: [String: FunctionDefinition] = [
        "tostring": FunctionDefinition([anyOrNull]) { arguments, _ throws(FunctionError) in
            try convertPrimitive(arguments[0], "a string") { $0.convertedToString.map(DynamicValue.string) }
        },
        "tonumber": FunctionDefinition([anyOrNull]) { arguments, _ throws(FunctionError) in
            try convertPrimitive(arguments[0], "a number") { $0.convertedToNumber.map(DynamicValue.number) }
        },
        "tobool": FunctionDefinition([anyOrNull]) { arguments, _ throws(FunctionError) in
            try convertPrimitive(arguments[0], "a bool") { $0.convertedToBool.map(DynamicValue.bool) }
        },
        "tolist": FunctionDefinition([Parameter(.list, allowsNull: true)]) { arguments, _ throws(FunctionError) in
            guard case .list(let items) = arguments[0] else { return .null }
            return .list(unifiedPrimitives(items))
        },
        "toset": FunctionDefinition([Parameter(.list, allowsNull: true)]) { arguments, context throws(FunctionError) in
            guard case .list(let items) = arguments[0] else { return .null }
            try context.spendWeight(of: arguments[0])
            return .list(setElements(items))
        },
        "tomap": FunctionDefinition([Parameter(.map, allowsNull: true)]) { arguments, _ throws(FunctionError) in
            arguments[0]
        },
    ]

    private static func convertPrimitive(
        _ value: DynamicValue, _ expected: String, _ conversion: (DynamicValue) -> DynamicValue?
    ) throws(FunctionError) -> DynamicValue {
        if case .null = value { return .null }
        guard let converted = conversion(value) else {
            let shown = value.convertedToString.map { " \(quoted($0))" } ?? ""
            throw .invalidArgument(index: 0, "cannot convert \(value.describedKind)\(shown) to \(expected)")
        }
        return converted
    }

    /// A list mixing strings with numbers or bools becomes a list of strings, as HCL gives a
    /// list one element type.
    static func unifiedPrimitives(_ items: [DynamicValue]) -> [DynamicValue] {
        let hasString = items.contains { if case .string = $0 { true } else { false } }
        guard hasString, items.allSatisfy({ $0.convertedToString != nil }) else { return items }
        return items.map { .string($0.convertedToString ?? "") }
    }
}
