/// Why the scheduler placed an allocation where it did, or could not place it at all. Shown to
/// users when a group is stuck ("0/3 nodes: 2 memory exhausted, 1 constraint …").
public struct AllocationMetrics: Sendable, Hashable, Codable {
    public var nodesEvaluated: Int
    public var nodesFiltered: Int
    /// Ready nodes per datacenter that the job could use.
    public var nodesAvailable: [String: Int]
    /// Filter reason → how many nodes it removed, as users read it: `constraint ${attr.kernel.name} = windows`,
    /// `missing driver "oci"`.
    public var constraintFiltered: [String: Int]
    public var nodesExhausted: Int
    /// Resource dimension → how many nodes lacked it: `cpu`, `memory`, `ports`.
    public var dimensionExhausted: [String: Int]
    /// Score of the chosen node (bin-pack fit with anti-affinity), for `alloc status -verbose`.
    public var chosenScore: Double?
    /// How many more placements of the same group failed the same way.
    public var coalescedFailures: Int

    public init(
        nodesEvaluated: Int = 0, nodesFiltered: Int = 0, nodesAvailable: [String: Int] = [:],
        constraintFiltered: [String: Int] = [:], nodesExhausted: Int = 0, dimensionExhausted: [String: Int] = [:],
        chosenScore: Double? = nil, coalescedFailures: Int = 0
    ) {
        self.nodesEvaluated = nodesEvaluated
        self.nodesFiltered = nodesFiltered
        self.nodesAvailable = nodesAvailable
        self.constraintFiltered = constraintFiltered
        self.nodesExhausted = nodesExhausted
        self.dimensionExhausted = dimensionExhausted
        self.chosenScore = chosenScore
        self.coalescedFailures = coalescedFailures
    }

    /// One line for people: "0/3 nodes: 2 memory exhausted, 1 constraint ${attr.kernel.name} = windows".
    public func summary(placedOn placed: Int = 0) -> String {
        var reasons: [String] = []
        for (dimension, count) in dimensionExhausted.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            reasons.append("\(count) \(dimension) exhausted")
        }
        for (constraint, count) in constraintFiltered.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            reasons.append("\(count) \(constraint)")
        }
        let head = "\(placed)/\(nodesEvaluated) nodes"
        return reasons.isEmpty ? head : head + ": " + reasons.joined(separator: ", ")
    }
}
