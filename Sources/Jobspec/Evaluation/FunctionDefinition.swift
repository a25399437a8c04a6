import ClusterModel

/// One HCL function: the parameters it takes and its implementation. Arguments are checked
/// and converted (HCL's automatic conversions: `upper(1)` is `"1"`, `pow("2", 3)` is 8)
/// before the implementation runs, so implementations only see values of the kinds they
/// declared and every wrong call is reported the same way.
struct FunctionDefinition: Sendable {
    enum ParameterKind: Sendable {
        case string, number, bool, list, map
        /// A list or a map.
        case collection
        case any

        var expected: String {
            switch self {
            case .string: "a string"
            case .number: "a number"
            case .bool: "a bool"
            case .list: "a list"
            case .map: "a map"
            case .collection: "a list or a map"
            case .any: "a value"
            }
        }
    }

    struct Parameter: Sendable {
        var kind: ParameterKind
        var allowsNull: Bool

        init(_ kind: ParameterKind, allowsNull: Bool = false) {
            self.kind = kind
            self.allowsNull = allowsNull
        }
    }

    typealias Implementation =
        @Sendable (FunctionArguments, inout FunctionContext) throws(FunctionError) -> DynamicValue

    var parameters: [Parameter]
    /// The parameter repeated after the fixed ones, if the function takes any number of them.
    var variadic: Parameter?
    /// The fewest arguments a variadic function accepts in all.
    var minimumCount: Int
    var implementation: Implementation

    init(_ parameters: [Parameter], implementation: @escaping Implementation) {
        self.parameters = parameters
        self.variadic = nil
        self.minimumCount = parameters.count
        self.implementation = implementation
    }

    init(
        _ parameters: [Parameter], variadic: Parameter, minimumCount: Int? = nil,
        implementation: @escaping Implementation
    ) {
        self.parameters = parameters
        self.variadic = variadic
        self.minimumCount = minimumCount ?? parameters.count
        self.implementation = implementation
    }

    /// Checks the count and kinds of the arguments and applies HCL's primitive conversions.
    func prepare(_ arguments: [DynamicValue], name: String) throws(FunctionError) -> FunctionArguments {
        if variadic == nil, arguments.count != parameters.count {
            throw .arity(Self.countDescription(parameters.count, exact: true), got: arguments.count)
        }
        if arguments.count < minimumCount {
            throw .arity(Self.countDescription(minimumCount, exact: false), got: arguments.count)
        }
        var converted: [DynamicValue] = []
        converted.reserveCapacity(arguments.count)
        for (index, argument) in arguments.enumerated() {
            let parameter = index < parameters.count ? parameters[index] : (variadic ?? Parameter(.any))
            converted.append(try Self.convert(argument, to: parameter, index: index))
        }
        return FunctionArguments(converted)
    }

    private static func countDescription(_ count: Int, exact: Bool) -> String {
        let noun = count == 1 ? "argument" : "arguments"
        return exact ? "\(count) \(noun)" : "at least \(count) \(noun)"
    }

    private static func convert(_ value: DynamicValue, to parameter: Parameter, index: Int) throws(FunctionError)
        -> DynamicValue
    {
        if case .null = value {
            if parameter.allowsNull { return value }
            throw .argumentType(index: index, expected: parameter.kind.expected, got: "null")
        }
        let result: DynamicValue?
        switch parameter.kind {
        case .string: result = value.convertedToString.map(DynamicValue.string)
        case .number: result = value.convertedToNumber.map(DynamicValue.number)
        case .bool: result = value.convertedToBool.map(DynamicValue.bool)
        case .list: if case .list = value { result = value } else { result = nil }
        case .map: if case .map = value { result = value } else { result = nil }
        case .collection:
            switch value {
            case .list, .map: result = value
            default: result = nil
            }
        case .any: result = value
        }
        guard let result else {
            throw .argumentType(index: index, expected: parameter.kind.expected, got: value.describedKind)
        }
        return result
    }
}

/// The mutable state a function may use: the evaluation's work budget and depth limit.
struct FunctionContext: Sendable {
    var budget: EvaluationBudget
    var maximumDepth: Int

    /// Charges `units` of work; fails once the file's budget is spent.
    mutating func spend(_ units: Int) throws(FunctionError) {
        guard budget.spend(units) else { throw .exhausted }
    }

    /// Charges what walking a value deeply costs (comparing, hashing).
    mutating func spendWeight(of value: DynamicValue) throws(FunctionError) {
        try spend(value.weight(upTo: max(0, budget.remaining)))
    }

    /// Fails when a produced collection grows past the per-value cap.
    func checkCount(_ count: Int, _ what: String = "the result") throws(FunctionError) {
        if count > EvaluationBudget.maximumElements {
            throw .failed(EvaluationBudget.tooManyElementsMessage(what))
        }
    }

    /// Fails when a produced string grows past the per-value cap.
    func checkLength(_ byteCount: Int) throws(FunctionError) {
        if byteCount > EvaluationBudget.maximumStringBytes { throw .failed(EvaluationBudget.stringTooLongMessage) }
    }

    /// Charges a produced string and checks its size.
    mutating func produced(_ text: String) throws(FunctionError) -> DynamicValue {
        let count = text.utf8.count
        try checkLength(count)
        try spend(count)
        return .string(text)
    }

    /// Charges a produced list and checks its size.
    mutating func produced(_ items: [DynamicValue]) throws(FunctionError) -> DynamicValue {
        try checkCount(items.count)
        try spend(items.count)
        return .list(items)
    }
}

/// Arguments after `FunctionDefinition.prepare`: each already has the kind its parameter
/// declared, so the accessors below only fall back to an empty value for a null the
/// parameter allowed.
struct FunctionArguments: Sendable {
    let values: [DynamicValue]

    init(_ values: [DynamicValue]) {
        self.values = values
    }

    var count: Int { values.count }
    subscript(index: Int) -> DynamicValue { index < values.count ? values[index] : .null }

    func string(_ index: Int) -> String {
        if case .string(let text) = self[index] { return text }
        return ""
    }

    func number(_ index: Int) -> Double {
        if case .number(let value) = self[index] { return value }
        return 0
    }

    func bool(_ index: Int) -> Bool {
        if case .bool(let value) = self[index] { return value }
        return false
    }

    func list(_ index: Int) -> [DynamicValue] {
        if case .list(let items) = self[index] { return items }
        return []
    }

    func map(_ index: Int) -> [String: DynamicValue] {
        if case .map(let entries) = self[index] { return entries }
        return [:]
    }

    /// A whole number argument (an index, a count), rejecting fractions and huge values.
    func integer(_ index: Int) throws(FunctionError) -> Int {
        let value = number(index)
        guard let integer = Int(exactly: value), abs(integer) <= 1 << 53 else {
            throw .invalidArgument(index: index, "expected a whole number, got \(NumberFormatting.string(from: value))")
        }
        return integer
    }

    /// The elements of list argument `index` converted to strings.
    func strings(_ index: Int) throws(FunctionError) -> [String] {
        try FunctionArguments.strings(in: list(index), argument: index)
    }

    static func strings(in items: [DynamicValue], argument: Int) throws(FunctionError) -> [String] {
        try converted(items, argument: argument, expected: "a string") { $0.convertedToString }
    }

    static func numbers(in items: [DynamicValue], argument: Int) throws(FunctionError) -> [Double] {
        try converted(items, argument: argument, expected: "a number") { $0.convertedToNumber }
    }

    /// Every element converted, or an error naming the first element that does not convert.
    private static func converted<Element>(
        _ items: [DynamicValue], argument: Int, expected: String, _ convert: (DynamicValue) -> Element?
    ) throws(FunctionError) -> [Element] {
        var result: [Element] = []
        result.reserveCapacity(items.count)
        for (position, item) in items.enumerated() {
            guard let element = convert(item) else {
                throw .elementType(index: argument, element: position, expected: expected, got: item.describedKind)
            }
            result.append(element)
        }
        return result
    }
}

/// Why a function call failed; the evaluator turns it into a diagnostic at the span of the
/// argument concerned (or of the whole call) and names the function.
enum FunctionError: Error {
    case arity(String, got: Int)
    case argumentType(index: Int, expected: String, got: String)
    case elementType(index: Int, element: Int, expected: String, got: String)
    case invalidArgument(index: Int, String)
    case failed(String)
    case exhausted

    /// The argument the error is about, to point the diagnostic at it.
    var argumentIndex: Int? {
        switch self {
        case .argumentType(let index, _, _), .elementType(let index, _, _, _), .invalidArgument(let index, _):
            index
        case .arity, .failed, .exhausted:
            nil
        }
    }

    func message(function name: String) -> String {
        switch self {
        case .arity(let expected, let got):
            "\"\(name)\" takes \(expected), got \(got)"
        case .argumentType(let index, let expected, let got):
            "expected \(expected) for argument \(index + 1) of \"\(name)\", got \(got)"
        case .elementType(let index, let element, let expected, let got):
            "expected \(expected) for element \(element) of argument \(index + 1) of \"\(name)\", got \(got)"
        case .invalidArgument(let index, let detail):
            "invalid argument \(index + 1) of \"\(name)\": \(detail)"
        case .failed(let detail):
            "call to \"\(name)\" failed: \(detail)"
        case .exhausted:
            EvaluationBudget.exhaustedMessage
        }
    }
}
