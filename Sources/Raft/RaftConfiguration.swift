/// Who takes part: voters decide elections and commitment; learners receive the log but do
/// not vote (a new member catches up as a learner before it is promoted).
public struct RaftConfiguration: Sendable, Hashable, Codable {
    public var voters: Set<RaftNodeID>
    public var learners: Set<RaftNodeID>

    public init(voters: Set<RaftNodeID> = [], learners: Set<RaftNodeID> = []) {
        self.voters = voters
        self.learners = learners
    }

    public var members: Set<RaftNodeID> { voters.union(learners) }
}
