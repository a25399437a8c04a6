import Raft
import Testing

@Suite struct RaftConfigurationTests {
    @Test func membersAreVotersAndLearnersTogether() {
        let configuration = RaftConfiguration(voters: [RaftNodeID(1), RaftNodeID(2)], learners: [RaftNodeID(3)])
        #expect(configuration.members == [RaftNodeID(1), RaftNodeID(2), RaftNodeID(3)])
        #expect(RaftNodeID.none.rawValue == 0)
    }
}
