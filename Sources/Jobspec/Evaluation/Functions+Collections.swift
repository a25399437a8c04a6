import ClusterModel

/// chunklist coalesce coalescelist compact concat contains distinct element flatten index
/// keys length lookup merge range reverse slice sort sum transpose values zipmap one alltrue
/// anytrue. Maps are read in key order (bytes), as HCL does.
extension Functions {
    static let collections: [String: FunctionDefinition] = [
        "chunklist": FunctionDefinition([list, number]) { arguments, context throws(FunctionError) in
            let items = arguments.list(0)
            let size = try arguments.integer(1)
            guard size >= 0 else { throw .invalidArgument(index: 1, "the chunk size must not be negative") }
            guard size > 0, !items.isEmpty else { return .list(items.isEmpty ? [] : [.list(items)]) }
            var chunks: [DynamicValue] = []
            var start = 0
            while start < items.count {
                chunks.append(.list(Array(items[start..<min(items.count, start + size)])))
                start += size
            }
            return try context.produced(chunks)
        },
        "coalesce": FunctionDefinition([], variadic: anyOrNull, minimumCount: 1) { arguments, _ throws(FunctionError) in
            for value in arguments.values {
                switch value {
                case .null, .string(""): continue
                default: return value
                }
            }
            throw .failed("every argument is null or an empty string")
        },
        "coalescelist": FunctionDefinition([], variadic: Parameter(.list, allowsNull: true), minimumCount: 1) {
            arguments, _ throws(FunctionError) in
            for value in arguments.values {
                if case .list(let items) = value, !items.isEmpty { return value }
            }
            throw .failed("every argument is null or an empty list")
        },
        "compact": FunctionDefinition([list]) { arguments, context throws(FunctionError) in
            var kept: [DynamicValue] = []
            for (position, item) in arguments.list(0).enumerated() {
                if case .null = item { continue }
                guard let text = item.convertedToString else {
                    throw .elementType(index: 0, element: position, expected: "a string", got: item.describedKind)
                }
                if !text.isEmpty { kept.append(.string(text)) }
            }
            return try context.produced(kept)
        },
        "concat": FunctionDefinition([], variadic: list, minimumCount: 1) { arguments, context throws(FunctionError) in
            var result: [DynamicValue] = []
            for index in 0..<arguments.count {
                let items = arguments.list(index)
                try context.checkCount(result.count + items.count)
                result.append(contentsOf: items)
            }
            return try context.produced(result)
        },
        "contains": FunctionDefinition([list, anyOrNull]) { arguments, context throws(FunctionError) in
            let items = arguments.list(0)
            try context.spendWeight(of: arguments[0])
            return .bool(items.contains(arguments[1]))
        },
        "distinct": FunctionDefinition([list]) { arguments, context throws(FunctionError) in
            var seen = Set<DynamicValue>()
            let items = arguments.list(0)
            try context.spendWeight(of: arguments[0])
            return .list(items.filter { seen.insert($0).inserted })
        },
        "element": FunctionDefinition([list, number]) { arguments, _ throws(FunctionError) in
            let items = arguments.list(0)
            let index = try arguments.integer(1)
            guard !items.isEmpty else { throw .invalidArgument(index: 0, "the list is empty") }
            guard index >= 0 else { throw .invalidArgument(index: 1, "the index must not be negative") }
            return items[index % items.count]
        },
        "flatten": FunctionDefinition([list]) { arguments, context throws(FunctionError) in
            var result: [DynamicValue] = []
            try flatten(arguments.list(0), into: &result, context: &context)
            return .list(result)
        },
        "index": FunctionDefinition([list, anyOrNull]) { arguments, context throws(FunctionError) in
            let items = arguments.list(0)
            try context.spendWeight(of: arguments[0])
            guard let position = items.firstIndex(of: arguments[1]) else {
                throw .invalidArgument(index: 1, "the value is not in the list")
            }
            return .number(Double(position))
        },
        "keys": FunctionDefinition([map]) { arguments, context throws(FunctionError) in
            try context.produced(arguments.map(0).keys.sorted(by: DynamicValue.bytewiseLess).map(DynamicValue.string))
        },
        "values": FunctionDefinition([map]) { arguments, context throws(FunctionError) in
            let entries = arguments.map(0)
            return try context.produced(entries.keys.sorted(by: DynamicValue.bytewiseLess).map { entries[$0] ?? .null })
        },
        "length": FunctionDefinition([anyValue]) { arguments, _ throws(FunctionError) in
            switch arguments[0] {
            case .list(let items): return .number(Double(items.count))
            case .map(let entries): return .number(Double(entries.count))
            case .string(let text): return .number(Double(text.count))
            default:
                throw .argumentType(index: 0, expected: "a list, a map or a string", got: arguments[0].describedKind)
            }
        },
        "lookup": FunctionDefinition([map, string], variadic: anyOrNull) { arguments, _ throws(FunctionError) in
            guard arguments.count <= 3 else { throw .arity("2 or 3 arguments", got: arguments.count) }
            let key = arguments.string(1)
            if let value = arguments.map(0)[key] { return value }
            if arguments.count == 3 { return arguments[2] }
            throw .invalidArgument(index: 1, "the map has no key \"\(key)\" and no default was given")
        },
        "merge": FunctionDefinition([], variadic: Parameter(.map, allowsNull: true)) { arguments, context throws(FunctionError) in
            var result: [String: DynamicValue] = [:]
            for index in 0..<arguments.count {
                let entries = arguments.map(index)
                try context.spend(entries.count)
                result.merge(entries) { _, later in later }
            }
            return .map(result)
        },
        "range": FunctionDefinition([], variadic: number, minimumCount: 1) { arguments, context throws(FunctionError) in
            try range(arguments, context: &context)
        },
        "reverse": FunctionDefinition([list]) { arguments, _ throws(FunctionError) in
            .list(arguments.list(0).reversed())
        },
        "slice": FunctionDefinition([list, number, number]) { arguments, _ throws(FunctionError) in
            let items = arguments.list(0)
            let start = try arguments.integer(1)
            let end = try arguments.integer(2)
            guard start >= 0, start <= items.count else {
                throw .invalidArgument(index: 1, "the start index must be between 0 and \(items.count), got \(start)")
            }
            guard end >= start, end <= items.count else {
                throw .invalidArgument(index: 2, "the end index must be between \(start) and \(items.count), got \(end)")
            }
            return .list(Array(items[start..<end]))
        },
        "sort": FunctionDefinition([list]) { arguments, context throws(FunctionError) in
            let texts = try arguments.strings(0)
            try context.spend(texts.count)
            return .list(texts.sorted(by: DynamicValue.bytewiseLess).map(DynamicValue.string))
        },
        "sum": FunctionDefinition([list]) { arguments, _ throws(FunctionError) in
            let numbers = try FunctionArguments.numbers(in: arguments.list(0), argument: 0)
            guard !numbers.isEmpty else { throw .invalidArgument(index: 0, "the list is empty") }
            return try finite(numbers.reduce(0, +))
        },
        "transpose": FunctionDefinition([map]) { arguments, context throws(FunctionError) in
            let entries = arguments.map(0)
            var result: [String: [DynamicValue]] = [:]
            for key in entries.keys.sorted(by: DynamicValue.bytewiseLess) {
                guard case .list(let items) = entries[key] ?? .null else {
                    throw .invalidArgument(index: 0, "the value of \"\(key)\" must be a list of strings")
                }
                try context.spend(items.count)
                for item in try FunctionArguments.strings(in: items, argument: 0) {
                    result[item, default: []].append(.string(key))
                }
            }
            return .map(result.mapValues(DynamicValue.list))
        },
        "zipmap": FunctionDefinition([list, list]) { arguments, context throws(FunctionError) in
            let keys = try arguments.strings(0)
            let values = arguments.list(1)
            guard keys.count == values.count else {
                throw .invalidArgument(index: 1, "expected \(keys.count) values to match the keys, got \(values.count)")
            }
            try context.spend(keys.count)
            var result: [String: DynamicValue] = [:]
            for (key, value) in zip(keys, values) { result[key] = value }
            return .map(result)
        },
        "one": FunctionDefinition([list]) { arguments, _ throws(FunctionError) in
            let items = arguments.list(0)
            guard items.count <= 1 else {
                throw .invalidArgument(index: 0, "the list must have at most one element, it has \(items.count)")
            }
            return items.first ?? .null
        },
        "alltrue": FunctionDefinition([list]) { arguments, _ throws(FunctionError) in
            .bool(try bools(arguments.list(0)).allSatisfy { $0 })
        },
        "anytrue": FunctionDefinition([list]) { arguments, _ throws(FunctionError) in
            .bool(try bools(arguments.list(0)).contains(true))
        },
    ]

    private static func bools(_ items: [DynamicValue]) throws(FunctionError) -> [Bool] {
        var result: [Bool] = []
        for (position, item) in items.enumerated() {
            guard let flag = item.convertedToBool else {
                throw .elementType(index: 0, element: position, expected: "a bool", got: item.describedKind)
            }
            result.append(flag)
        }
        return result
    }

    /// Recursion follows the nesting of the value, which the evaluator keeps bounded.
    private static func flatten(_ items: [DynamicValue], into result: inout [DynamicValue], context: inout FunctionContext)
        throws(FunctionError)
    {
        for item in items {
            try context.spend(1)
            if case .list(let inner) = item {
                try flatten(inner, into: &result, context: &context)
            } else {
                result.append(item)
                try context.checkCount(result.count)
            }
        }
    }

    /// `range(limit)`, `range(start, limit)`, `range(start, limit, step)`; the limit itself
    /// is never included.
    private static func range(_ arguments: FunctionArguments, context: inout FunctionContext) throws(FunctionError)
        -> DynamicValue
    {
        guard arguments.count <= 3 else { throw .arity("1 to 3 arguments", got: arguments.count) }
        let start = arguments.count == 1 ? 0 : arguments.number(0)
        let limit = arguments.count == 1 ? arguments.number(0) : arguments.number(1)
        let step = arguments.count == 3 ? arguments.number(2) : (limit >= start ? 1 : -1)
        guard step != 0 else { throw .invalidArgument(index: 2, "the step must not be zero") }
        let span = (limit - start) / step
        guard span.isFinite else { throw .failed(EvaluationBudget.tooManyElementsMessage("the range")) }
        let count = span <= 0 ? 0 : span.rounded(.up)
        guard count <= Double(EvaluationBudget.maximumElements) else {
            throw .failed(EvaluationBudget.tooManyElementsMessage("the range"))
        }
        let total = Int(count)
        try context.spend(total)
        return .list((0..<total).map { .number(start + Double($0) * step) })
    }
}
