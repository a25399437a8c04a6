@testable import RoostCLI
import Testing

/// `roost agent`'s flags: mistakes are caught before anything starts, with what to do instead.
@Suite struct AgentCommandTests {
    @Test func aServerWithoutADataDirectoryIsRefused() async {
        let run = await roost("agent", "-server")
        #expect(run.status == 64)
        #expect(run.errors.contains("-server needs -data-dir"))
    }

    @Test func expectingSeveralManagersWithoutJoinSaysHowTheyWouldMeet() async {
        let run = await roost("agent", "-server", "-data-dir", "/nonexistent", "-bootstrap-expect", "3")
        #expect(run.status == 64)
        #expect(run.errors.contains("-bootstrap-expect 3 needs -join"))
    }

    @Test func devAndServerTogetherAreRefused() async {
        let run = await roost("agent", "-dev", "-server")
        #expect(run.status == 64)
        #expect(run.errors.contains("-dev and -server cannot be combined"))
    }

    @Test func aBootstrapExpectationOutsideOneToNineIsRefused() async {
        for value in ["0", "10", "three"] {
            let run = await roost("agent", "-server", "-data-dir", "/nonexistent", "-bootstrap-expect", value, "-join", "10.0.0.2")
            #expect(run.status == 64)
            #expect(run.errors.contains("-bootstrap-expect must be the number of managers"), "\(value): \(run.errors)")
        }
    }

    @Test func operatorRemovePeerWithoutAnIDSaysWhereToFindOne() async {
        let run = await roost("operator", "raft", "remove-peer")
        #expect(run.status == 64)
        #expect(run.errors.contains("list-peers"))
    }
}
