@testable import RoostCLI
import Testing

/// `roost job dispatch`: what is caught before any request reaches an agent.
@Suite struct JobDispatchCommandTests {
    @Test func dispatchNeedsAJobAndAtMostOnePayloadFile() async {
        let none = await roost("job", "dispatch")
        #expect(none.status == 64)
        #expect(none.errors.contains("takes a JOB and, optionally, a PAYLOAD-FILE (or - for standard input)"))
        let three = await roost("job", "dispatch", "resize", "a.txt", "b.txt")
        #expect(three.status == 64)
    }

    @Test func aMetaWithoutAnEqualsSignIsAUsageError() async {
        let run = await roost("job", "dispatch", "-meta", "size", "resize")
        #expect(run.status == 64)
        #expect(run.errors.contains("invalid -meta \"size\": expected KEY=VALUE"))
    }

    @Test func anUnreadablePayloadFileIsNamedBeforeAnythingIsSent() async {
        let run = await roost("job", "dispatch", "--address", "http://127.0.0.1:9", "resize", "/nonexistent/input.txt")
        #expect(run.status == 1)
        #expect(run.errors.contains("cannot read \"/nonexistent/input.txt\""))
    }

    @Test func theJobHelpListsDispatch() async {
        let help = await roost("job", "--help")
        #expect(help.output.contains("  dispatch "))
    }
}
