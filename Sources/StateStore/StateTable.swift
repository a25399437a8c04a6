/// The tables of the store. Each remembers the index of its last change, which is what a
/// blocking query on the matching list endpoint waits for.
public enum StateTable: String, Sendable, Hashable, Codable, CaseIterable {
    case jobs
    case nodes
    case allocations
    case evaluations
    case aclTokens
    case deployments
}
