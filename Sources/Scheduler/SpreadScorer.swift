import ClusterModel

/// Scores nodes for a group's `spread` blocks (job and group level): how much placing one more
/// allocation on the node moves each spread attribute's values toward their targets.
///
/// With `target`s, a value's desired share is its percent of the group's count; values not
/// named share what the percentages leave (nothing when they sum to 100). Without targets the
/// allocations should be even across the values the feasible nodes have. A value below its
/// desired count boosts the node (in [0.5, 1]); one at or above it penalises the node (in
/// [-1, -0.5]), so the gap between helping and hurting a target is never less than one whole
/// unit and outweighs packing: the targets hold within one allocation. Even spread is linear
/// from +1 (the least used value) to -1 (the most used). A node without the attribute scores
/// -1. Spreads are combined weighted by their `weight`.
///
/// Counts are per value over the group's live allocations (placed by this plan included) and
/// kept current as the plan places, so scoring a node is a few array reads.
struct SpreadScorer {
    struct Rule {
        var weight: Double
        /// Value index per node position; -1 when the node lacks the attribute.
        var valueOfNode: [Int]
        var values: [String]
        /// Live allocations of the group per value index.
        var counts: [Int]
        /// Desired allocations per value index; nil for even spread.
        var desired: [Double]?
        /// For even spread: the values feasible nodes have.
        var evenValues: [Int] = []
    }

    var rules: [Rule]
    /// The distinct value combinations among the feasible nodes, to know the best score any
    /// node could have without ranking them all.
    var combinations: [[Int]]

    /// Nil when the group has no spread.
    init?(group: GroupSpec, job: JobSpec, nodes: [Node], feasible: [Int], groupCounts: [Int]) {
        let spreads = job.spreads + group.spreads
        guard !spreads.isEmpty else { return nil }
        let totalWeight = spreads.reduce(0) { $0 + max(0, $1.weight) }
        var rules: [Rule] = []
        for spread in spreads {
            var indexOf: [String: Int] = [:]
            var values: [String] = []
            var valueOfNode = Array(repeating: -1, count: nodes.count)
            for position in nodes.indices {
                guard let value = FeasibilityChecker.resolve(Self.target(spread.attribute), on: nodes[position]) else { continue }
                let index: Int
                if let known = indexOf[value] {
                    index = known
                } else {
                    index = values.count
                    indexOf[value] = index
                    values.append(value)
                }
                valueOfNode[position] = index
            }
            var counts = Array(repeating: 0, count: values.count)
            for position in nodes.indices where valueOfNode[position] >= 0 && position < groupCounts.count {
                counts[valueOfNode[position]] += groupCounts[position]
            }
            var desired: [Double]?
            if !spread.targets.isEmpty {
                var percents = Array(repeating: -1.0, count: values.count)
                var named = 0.0
                for target in spread.targets {
                    let percent = Double(min(100, max(0, target.percent)))
                    named += percent
                    if let index = indexOf[target.value] { percents[index] = percent }
                }
                // Values the targets do not name share the rest, among those feasible nodes have.
                let feasibleValues = Set(feasible.map { valueOfNode[$0] }.filter { $0 >= 0 })
                let unnamed = feasibleValues.filter { percents[$0] < 0 }.count
                let rest = max(0, 100 - named) / Double(max(1, unnamed))
                desired = percents.map { ($0 < 0 ? rest : $0) / 100 * Double(max(0, group.count)) }
            }
            let weight = totalWeight > 0 ? Double(max(0, spread.weight)) / Double(totalWeight) : 1 / Double(spreads.count)
            rules.append(Rule(weight: weight, valueOfNode: valueOfNode, values: values, counts: counts, desired: desired))
        }
        var seen = Set<[Int]>()
        var combinations: [[Int]] = []
        for position in feasible {
            let combination = rules.map { $0.valueOfNode[position] }
            if seen.insert(combination).inserted { combinations.append(combination) }
        }
        // Even spread compares against the values feasible nodes have, not every value seen.
        for index in rules.indices where rules[index].desired == nil {
            rules[index].evenValues = Set(combinations.map { $0[index] }.filter { $0 >= 0 }).sorted()
        }
        self.rules = rules
        self.combinations = combinations
    }

    /// Accepts `${node.datacenter}` as well as a bare `node.datacenter`, as Nomad does.
    static func target(_ attribute: String) -> String {
        attribute.hasPrefix("${") ? attribute : "${\(attribute)}"
    }

    func score(position: Int) -> Double {
        score(combination: rules.map { $0.valueOfNode[position] })
    }

    func score(combination: [Int]) -> Double {
        var total = 0.0
        for (index, rule) in rules.enumerated() {
            total += rule.weight * Self.boost(rule, value: combination[index])
        }
        return total
    }

    /// The best score a feasible node could have now.
    func bestPossible() -> Double {
        combinations.reduce(-Double.infinity) { max($0, score(combination: $1)) }
    }

    mutating func placed(on position: Int) {
        for index in rules.indices {
            let value = rules[index].valueOfNode[position]
            if value >= 0 { rules[index].counts[value] += 1 }
        }
    }

    static func boost(_ rule: Rule, value: Int) -> Double {
        guard value >= 0 else { return -1 }
        let used = Double(rule.counts[value])
        if let desired = rule.desired {
            let wanted = desired[value]
            if used + 1 <= wanted + 1e-9 {
                return 0.5 + 0.5 * (wanted - used - 1) / max(wanted, 1)
            }
            return -0.5 - 0.5 * min(1, (used + 1 - wanted) / max(wanted, 1))
        }
        var least = Int.max
        var most = Int.min
        for other in rule.evenValues {
            least = min(least, rule.counts[other])
            most = max(most, rule.counts[other])
        }
        guard least < most else { return 0 }
        return 1 - 2 * (used - Double(least)) / Double(most - least)
    }
}
