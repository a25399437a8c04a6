import ClusterModel

extension DecodingSession {
    /// Operators that compare a node attribute, so they need `attribute`.
    static let comparingOperators: Set<String> = [
        "=", "==", "is", "!=", "not", ">", ">=", "<", "<=", "regexp", "set_contains", "set_contains_all",
        "set_contains_any", "version", "semver", "is_set", "is_not_set",
    ]
    /// Affinities score nodes; operators that only make sense as hard rules are not offered.
    static let affinityOperators = Constraint.operators.filter {
        !["distinct_hosts", "distinct_property", "is_set", "is_not_set"].contains($0)
    }
    /// `regexp = "…"` is short for `operator = "regexp"` with that value, and so on.
    static let operatorShorthands = ["version", "semver", "regexp", "set_contains", "set_contains_all", "set_contains_any"]

    mutating func decodeConstraint(_ block: EvaluatedBlock) -> Constraint? {
        let content = open(block, as: .constraint)
        var constraint = Constraint(
            leftTarget: string("attribute", in: content) ?? "", rightTarget: string("value", in: content) ?? "")
        if let operand = choice("operator", in: content, among: Constraint.operators) {
            constraint.operand = operand
        }
        for shorthand in Self.operatorShorthands {
            if let value = string(shorthand, in: content) {
                constraint.operand = shorthand
                constraint.rightTarget = value
            }
        }
        if bool("distinct_hosts", in: content) == true {
            constraint.operand = "distinct_hosts"
        }
        if let property = string("distinct_property", in: content) {
            constraint.operand = "distinct_property"
            constraint.leftTarget = property
        }
        // An attribute written empty (say, from a variable) is the user's choice; a missing one is a slip.
        if Self.comparingOperators.contains(constraint.operand), !content.has("attribute") {
            reportMissing(
                "constraint with operator \"\(constraint.operand)\" needs an attribute", at: content.headerSpan,
                hint: "add attribute = \"${attr.kernel.name}\" (the node property to compare)")
            return nil
        }
        return constraint
    }

    mutating func decodeAffinity(_ block: EvaluatedBlock) -> Affinity? {
        let content = open(block, as: .affinity)
        var affinity = Affinity(
            leftTarget: string("attribute", in: content) ?? "", rightTarget: string("value", in: content) ?? "")
        if let operand = choice("operator", in: content, among: Self.affinityOperators) {
            affinity.operand = operand
        }
        for shorthand in Self.operatorShorthands {
            if let value = string(shorthand, in: content) {
                affinity.operand = shorthand
                affinity.rightTarget = value
            }
        }
        if let weight = wholeNumber("weight", in: content, atLeast: -100, atMost: 100) {
            if weight == 0, let attribute = content["weight"] {
                error("weight must not be 0", at: attribute.valueSpan, hint: "use -100…-1 to avoid nodes, 1…100 to prefer them")
            } else {
                affinity.weight = weight
            }
        }
        if !content.has("attribute") {
            reportMissing(
                "affinity needs an attribute", at: content.headerSpan,
                hint: "add attribute = \"${node.datacenter}\" (the node property to compare)")
            return nil
        }
        return affinity
    }

    mutating func decodeSpread(_ block: EvaluatedBlock) -> Spread? {
        let content = open(block, as: .spread)
        var spread = Spread()
        if let weight = wholeNumber("weight", in: content, atLeast: 0, atMost: 100) { spread.weight = weight }
        var total = 0
        var values: [String: SourceSpan] = [:]
        for targetBlock in content.blocks("target") {
            let target = open(targetBlock, as: .spreadTarget)
            guard let value = target.label else { continue }
            let percent = wholeNumber("percent", in: target, atLeast: 0, atMost: 100) ?? 0
            if let first = values[value] {
                error(
                    "spread target \"\(Self.shortened(value))\" is declared twice", at: target.labelSpan,
                    hint: "the first is at line \(line(of: first))")
                continue
            }
            values[value] = target.labelSpan
            total += percent
            if total > 100, total - percent <= 100 {
                error(
                    "spread target percentages add up to more than 100 (\(total))", at: target.headerSpan,
                    hint: "the targets share the group's allocations; lower some percentages")
            }
            spread.targets.append(Spread.Target(value: value, percent: percent))
        }
        guard let attribute = string("attribute", in: content) else {
            if !content.has("attribute") {
                reportMissing(
                    "spread needs an attribute", at: content.headerSpan,
                    hint: "add attribute = \"${node.datacenter}\" (the node property to spread over)")
            }
            return nil
        }
        spread.attribute = attribute
        return spread
    }
}
