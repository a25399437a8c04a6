/// A change of membership the agent should hear about. Each carries the member as it is after
/// the change.
public enum SWIMEvent: Sendable, Hashable {
    /// First heard of, or back after having failed or left (a higher incarnation).
    case joined(SWIMMember)
    case suspect(SWIMMember)
    /// A suspicion was refuted: the member answered with a higher incarnation.
    case alive(SWIMMember)
    case failed(SWIMMember)
    case left(SWIMMember)
    case updated(SWIMMember)

    public var member: SWIMMember {
        switch self {
        case .joined(let m), .suspect(let m), .alive(let m), .failed(let m), .left(let m), .updated(let m): m
        }
    }
}
