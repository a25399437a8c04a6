/// A soft placement preference: nodes matching it score higher (positive weight) or lower
/// (negative weight); it never makes a node infeasible.
public struct Affinity: Sendable, Hashable, Codable {
    public var leftTarget: String
    public var rightTarget: String
    public var operand: String
    /// -100...100, never 0.
    public var weight: Int

    public init(leftTarget: String = "", rightTarget: String = "", operand: String = "=", weight: Int = 50) {
        self.leftTarget = leftTarget
        self.rightTarget = rightTarget
        self.operand = operand
        self.weight = weight
    }
}
