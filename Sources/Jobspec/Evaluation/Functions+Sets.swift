import ClusterModel

/// setintersection setproduct setsubtract setunion. Sets are lists without duplicates;
/// strings and numbers are kept sorted, as HCL orders its sets.
extension Functions {
    static let sets: [String: FunctionDefinition] = [
        "setintersection": FunctionDefinition([list], variadic: list) { arguments, context throws(FunctionError) in
            for value in arguments.values { try context.spendWeight(of: value) }
            var result = setElements(arguments.list(0))
            for index in 1..<max(1, arguments.count) {
                let other = Set(arguments.list(index))
                try context.spend(other.count + result.count)
                result = result.filter { other.contains($0) }
            }
            return .list(result)
        },
        "setsubtract": FunctionDefinition([list, list]) { arguments, context throws(FunctionError) in
            for value in arguments.values { try context.spendWeight(of: value) }
            let removed = Set(arguments.list(1))
            try context.spend(removed.count + arguments.list(0).count)
            return .list(setElements(arguments.list(0)).filter { !removed.contains($0) })
        },
        "setunion": FunctionDefinition([list], variadic: list) { arguments, context throws(FunctionError) in
            for value in arguments.values { try context.spendWeight(of: value) }
            var all: [DynamicValue] = []
            for index in 0..<arguments.count {
                all.append(contentsOf: arguments.list(index))
                try context.checkCount(all.count)
            }
            try context.spend(all.count)
            return .list(setElements(all))
        },
        "setproduct": FunctionDefinition([list], variadic: list, minimumCount: 2) { arguments, context throws(FunctionError) in
            for value in arguments.values { try context.spendWeight(of: value) }
            let factors = (0..<arguments.count).map { setElements(arguments.list($0)) }
            var size = 1
            for factor in factors {
                let (product, overflow) = size.multipliedReportingOverflow(by: factor.count)
                guard !overflow, product <= EvaluationBudget.maximumElements else {
                    throw .failed(EvaluationBudget.tooManyElementsMessage("the product"))
                }
                size = product
            }
            try context.spend(size * factors.count)
            var rows: [[DynamicValue]] = [[]]
            for factor in factors {
                var next: [[DynamicValue]] = []
                next.reserveCapacity(rows.count * factor.count)
                for row in rows {
                    for item in factor { next.append(row + [item]) }
                }
                rows = next
            }
            return .list(rows.map(DynamicValue.list))
        },
    ]

    /// Removes duplicates (first occurrence wins) and sorts strings by bytes and numbers by
    /// value; other elements keep their order. A mix of strings with numbers or bools becomes
    /// all strings, as HCL unifies a set's element type.
    static func setElements(_ items: [DynamicValue]) -> [DynamicValue] {
        var unified = items
        let hasString = items.contains { if case .string = $0 { true } else { false } }
        let allPrimitive = items.allSatisfy { $0.convertedToString != nil }
        if hasString, allPrimitive {
            unified = items.map { .string($0.convertedToString ?? "") }
        }
        var seen = Set<DynamicValue>()
        let distinct = unified.filter { seen.insert($0).inserted }
        if distinct.allSatisfy({ if case .string = $0 { true } else { false } }) {
            return distinct.sorted { left, right in
                DynamicValue.bytewiseLess(left.convertedToString ?? "", right.convertedToString ?? "")
            }
        }
        if distinct.allSatisfy({ if case .number = $0 { true } else { false } }) {
            return distinct.sorted { ($0.convertedToNumber ?? 0) < ($1.convertedToNumber ?? 0) }
        }
        return distinct
    }
}
