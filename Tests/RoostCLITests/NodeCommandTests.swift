@testable import RoostCLI
import Testing

/// `roost node drain` and `roost node eligibility`: usage errors caught before any request.
@Suite struct NodeCommandTests {
    @Test func drainNeedsOneNodeAndExactlyOneOfEnableAndDisable() async {
        let noNode = await roost("node", "drain", "-enable")
        #expect(noNode.status == 64)
        #expect(noNode.errors.contains("needs exactly one NODE"))
        let both = await roost("node", "drain", "-enable", "-disable", "abc")
        #expect(both.status == 64)
        #expect(both.errors.contains("exactly one of -enable and -disable"))
        let neither = await roost("node", "eligibility", "abc")
        #expect(neither.status == 64)
    }

    @Test func aBadDeadlineIsNamedWithTheFormsAccepted() async {
        let bogus = await roost("node", "drain", "-enable", "-deadline", "soon", "abc")
        #expect(bogus.status == 64)
        #expect(bogus.errors.contains("-deadline soon is not a valid duration"))
        #expect(bogus.errors.contains("e.g. \"30s\""))
        let clash = await roost("node", "drain", "-enable", "-force", "-deadline", "5m", "abc")
        #expect(clash.status == 64)
        #expect(clash.errors.contains("at most one of -deadline, -force and -no-deadline"))
        let zero = await roost("node", "drain", "-enable", "-deadline", "0s", "abc")
        #expect(zero.errors.contains("use -force"))
    }

    @Test func theNodeHelpListsDrainAndEligibility() async {
        let help = await roost("node", "--help")
        #expect(help.output.contains("  drain "))
        #expect(help.output.contains("  eligibility "))
    }
}
