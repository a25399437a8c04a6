import ClusterModel

/// Scores nodes for a group's `affinity` blocks (job, group and task level): the weights of
/// the affinities the node matches, over the sum of all weights' magnitudes, so in [-1, 1]. A
/// negative weight is an anti-affinity. Affinities never filter: a node matching none still
/// runs the work when it is the only one with room.
///
/// The score depends only on the node, so it is worked out once per feasible node and group.
struct AffinityScorer {
    /// Score per node position (0 for nodes that are not feasible).
    var scores: [Double]

    /// Nil when the group has no affinity (or only zero weights).
    init?(group: GroupSpec, job: JobSpec, nodes: [Node], feasible: [Int], checker: inout FeasibilityChecker) {
        let affinities = job.affinities + group.affinities + group.tasks.flatMap(\.affinities)
        let totalWeight = affinities.reduce(0) { $0 + abs(max(-100, min(100, $1.weight))) }
        guard totalWeight > 0 else { return nil }
        var scores = Array(repeating: 0.0, count: nodes.count)
        for position in feasible {
            var matched = 0
            for affinity in affinities {
                let rule = Constraint(leftTarget: affinity.leftTarget, rightTarget: affinity.rightTarget, operand: affinity.operand)
                if checker.holds(rule, on: nodes[position]) { matched += max(-100, min(100, affinity.weight)) }
            }
            scores[position] = Double(matched) / Double(totalWeight)
        }
        self.scores = scores
    }
}
