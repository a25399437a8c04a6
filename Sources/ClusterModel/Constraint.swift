/// A hard placement rule: a node is feasible only if `leftTarget operator rightTarget` holds.
/// Targets may hold runtime references such as `${attr.kernel.name}`, kept verbatim until a
/// node is known.
public struct Constraint: Sendable, Hashable, Codable {
    public var leftTarget: String
    public var rightTarget: String
    /// `=`, `!=`, `>`, `>=`, `<`, `<=`, `distinct_hosts`, `distinct_property`, `regexp`,
    /// `set_contains`, `set_contains_all`, `set_contains_any`, `version`, `semver`,
    /// `is_set`, `is_not_set`.
    public var operand: String

    public init(leftTarget: String = "", rightTarget: String = "", operand: String = "=") {
        self.leftTarget = leftTarget
        self.rightTarget = rightTarget
        self.operand = operand
    }

    /// Every operator Nomad accepts in a `constraint` block.
    public static let operators: [String] = [
        "=", "==", "is", "!=", "not", ">", ">=", "<", "<=", "distinct_hosts", "distinct_property",
        "regexp", "set_contains", "set_contains_all", "set_contains_any", "version", "semver",
        "is_set", "is_not_set",
    ]
}
