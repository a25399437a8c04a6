import ClusterModel

/// HCL's automatic conversions between primitive values (`"1" + 1` is 2, `upper(1)` is
/// `"1"`), and the small vocabulary used to describe values in diagnostics.
extension DynamicValue {
    /// "a string", "a list", "null": for messages such as `expected a number, got a string`.
    var describedKind: String {
        switch self {
        case .null: "null"
        default: "a \(kindName)"
        }
    }

    /// A number, or a string that spells one (`"1"`, `"-2.5e3"`).
    var convertedToNumber: Double? {
        switch self {
        case .number(let value): value
        case .string(let text): Self.parseNumber(text)
        default: nil
        }
    }

    /// A string, or a number or bool written as text (`1` becomes `"1"`).
    var convertedToString: String? {
        switch self {
        case .string(let text): text
        case .number(let value): NumberFormatting.string(from: value)
        case .bool(let value): value ? "true" : "false"
        default: nil
        }
    }

    /// A bool, or the strings `"true"` and `"false"`.
    var convertedToBool: Bool? {
        switch self {
        case .bool(let value): value
        case .string("true"): true
        case .string("false"): false
        default: nil
        }
    }

    /// Decimal numbers as HCL writes them: optional sign, digits, optional fraction and
    /// exponent. Unlike `Double(_:)`, rejects `inf`, `nan`, hexadecimal and surrounding space.
    static func parseNumber(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        var index = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
        var digits = 0
        while index < bytes.count, isDigit(bytes[index]) { index += 1; digits += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, isDigit(bytes[index]) { index += 1; digits += 1 }
        }
        guard digits > 0 else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
            var exponentDigits = 0
            while index < bytes.count, isDigit(bytes[index]) { index += 1; exponentDigits += 1 }
            guard exponentDigits > 0 else { return nil }
        }
        guard index == bytes.count else { return nil }
        let body = bytes.first == UInt8(ascii: "+") ? String(decoding: bytes.dropFirst(), as: UTF8.self) : text
        guard let value = Double(body), value.isFinite else { return nil }
        return value
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    /// The elements in HCL's iteration order: lists by index, maps by key in byte order.
    /// nil for anything that cannot be iterated.
    var iterationElements: [(key: DynamicValue, value: DynamicValue)]? {
        switch self {
        case .list(let items):
            return items.enumerated().map { (DynamicValue.number(Double($0.offset)), $0.element) }
        case .map(let entries):
            return entries.keys.sorted(by: Self.bytewiseLess).map { (DynamicValue.string($0), entries[$0] ?? .null) }
        default:
            return nil
        }
    }

    /// Byte order, as Go (and so Nomad) sorts strings; Swift's own `<` compares by Unicode
    /// canonical equivalence, which would order some keys differently.
    static func bytewiseLess(_ left: String, _ right: String) -> Bool {
        left.utf8.lexicographicallyPrecedes(right.utf8)
    }

    enum ShapeCheck: Equatable {
        /// Within the depth limit; `nodes` were visited.
        case fits(nodes: Int)
        case tooDeep
        /// More than the allowed number of nodes (shared sub-lists count every time they
        /// appear, since that is what a later walk would cost).
        case tooLarge
    }

    /// Whether the value nests lists and maps at most `depthLimit` levels deep, visiting at
    /// most `nodeLimit` nodes. Iterative, so it is safe on values of any depth.
    func checkShape(depthLimit: Int, nodeLimit: Int) -> ShapeCheck {
        if let flat = checkFlatShape(depthLimit: depthLimit, nodeLimit: nodeLimit) { return flat }
        var pending: [(DynamicValue, Int)] = [(self, 0)]
        var visited = 0
        while let (value, depth) = pending.popLast() {
            visited += 1
            if visited > nodeLimit { return .tooLarge }
            switch value {
            case .list(let items):
                if depth + 1 > depthLimit { return .tooDeep }
                for item in items { pending.append((item, depth + 1)) }
            case .map(let entries):
                if depth + 1 > depthLimit { return .tooDeep }
                for item in entries.values { pending.append((item, depth + 1)) }
            default:
                continue
            }
        }
        return .fits(nodes: visited)
    }

    /// The answer of `checkShape` for a scalar or a list or map of scalars (`tags = […]`,
    /// `meta = {…}`), the usual values, found without the work list; nil for deeper values.
    private func checkFlatShape(depthLimit: Int, nodeLimit: Int) -> ShapeCheck? {
        let count: Int
        switch self {
        case .list(let items):
            for item in items {
                switch item {
                case .list, .map: return nil
                default: continue
                }
            }
            count = items.count
        case .map(let entries):
            for item in entries.values {
                switch item {
                case .list, .map: return nil
                default: continue
                }
            }
            count = entries.count
        default:
            return nodeLimit < 1 ? .tooLarge : .fits(nodes: 1)
        }
        if nodeLimit < 1 { return .tooLarge }
        if depthLimit < 1 { return .tooDeep }
        return count >= nodeLimit ? .tooLarge : .fits(nodes: 1 + count)
    }

    /// The number of nodes and string bytes in the value, counted until `limit` is passed:
    /// what comparing, hashing or copying it deeply costs, charged to the work budget.
    func weight(upTo limit: Int) -> Int {
        var total = 0
        var pending: [DynamicValue] = [self]
        while let value = pending.popLast(), total <= limit {
            total += 1
            switch value {
            case .list(let items): pending.append(contentsOf: items)
            case .map(let entries): pending.append(contentsOf: entries.values)
            case .string(let text): total += text.utf8.count / 16
            default: break
            }
        }
        return total
    }
}
