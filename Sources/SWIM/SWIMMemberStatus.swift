/// What a member is believed to be. The raw values order the states for the merge rule: at an
/// equal incarnation the higher state wins (left > dead > suspect > alive), because only the
/// member itself can leave, and only a higher incarnation (which only it can issue) can undo a
/// suspicion or a death.
public enum SWIMMemberStatus: UInt8, Sendable, Hashable, Comparable, CustomStringConvertible {
    case alive = 0
    case suspect = 1
    case dead = 2
    case left = 3

    public static func < (lhs: SWIMMemberStatus, rhs: SWIMMemberStatus) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Alive and suspect members are still probed and counted in the cluster size.
    public var isActive: Bool { self == .alive || self == .suspect }

    public var description: String {
        switch self {
        case .alive: "alive"
        case .suspect: "suspect"
        case .dead: "failed"
        case .left: "left"
        }
    }
}
