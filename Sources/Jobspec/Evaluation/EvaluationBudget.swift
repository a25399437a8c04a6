/// Caps what one file's evaluation may produce, so that `range(1e9)`, a `for` over a
/// million-element list nested in another, or a string doubled in every local cannot exhaust
/// memory or time. Real job files stay many orders of magnitude below these numbers.
struct EvaluationBudget: Sendable {
    /// Largest list or map a single expression may produce.
    static let maximumElements = 1_000_000
    /// Longest string a single expression may produce, in UTF-8 bytes.
    static let maximumStringBytes = 1_000_000
    /// Total units of work (elements produced, bytes written, loop iterations) for a file.
    static let maximumWork = 4_000_000

    private(set) var remaining: Int

    init(work: Int = EvaluationBudget.maximumWork) {
        remaining = work
    }

    var isExhausted: Bool { remaining < 0 }

    /// Returns false once the budget is spent; the caller then fails with
    /// `EvaluationBudget.exhaustedMessage`.
    mutating func spend(_ units: Int) -> Bool {
        remaining = remaining &- max(0, units)
        return remaining >= 0
    }

    static let exhaustedMessage =
        "the file needs too much work to evaluate (more than \(maximumWork) elements, iterations and bytes in all)"

    static func tooManyElementsMessage(_ what: String) -> String {
        "\(what) would have more than \(maximumElements) elements"
    }

    static let stringTooLongMessage = "the string would be longer than \(maximumStringBytes) bytes"
}
