import ClusterModel

/// The functions a job file may call, by name. Each family lives in its own file
/// (`Functions+Strings.swift`, …). `can` and `try` are not here: they need their arguments
/// unevaluated, so the evaluator handles them itself.
enum Functions {
    static let table: [String: FunctionDefinition] = {
        var table: [String: FunctionDefinition] = [:]
        for family in [numeric, strings, collections, sets, conversions, encodings] {
            table.merge(family) { first, _ in first }
        }
        return table
    }()

    /// Names the evaluator implements itself, listed for "did you mean" hints.
    static let specialForms = ["can", "try"]

    static var allNames: [String] { Array(table.keys) + specialForms }

    typealias Parameter = FunctionDefinition.Parameter

    static let string = Parameter(.string)
    static let number = Parameter(.number)
    static let bool = Parameter(.bool)
    static let list = Parameter(.list)
    static let map = Parameter(.map)
    static let collection = Parameter(.collection)
    static let anyValue = Parameter(.any)
    static let anyOrNull = Parameter(.any, allowsNull: true)
}
