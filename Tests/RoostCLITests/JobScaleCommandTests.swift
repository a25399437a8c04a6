@testable import RoostCLI
import Testing

/// `roost job scale`: what is caught before any request reaches an agent.
@Suite struct JobScaleCommandTests {
    @Test func scaleNeedsAJobAnOptionalGroupAndACount() async {
        let none = await roost("job", "scale", "web")
        #expect(none.status == 64)
        #expect(none.errors.contains("takes JOB [GROUP] COUNT"))
        let four = await roost("job", "scale", "web", "g", "3", "extra")
        #expect(four.status == 64)
    }

    @Test func aCountThatIsNotAWholeNumberIsAUsageError() async {
        // A negative count reads as an unknown flag, which is a usage error too.
        #expect(await roost("job", "scale", "web", "g", "-1").status == 64)
        for text in ["three", "2.5"] {
            let run = await roost("job", "scale", "web", "g", text)
            #expect(run.status == 64, "\(text)")
            #expect(run.errors.contains("COUNT must be a whole number ≥ 0, got \"\(text)\""), "\(text): \(run.errors)")
        }
    }

    @Test func theJobHelpListsScale() async {
        let help = await roost("job", "--help")
        #expect(help.output.contains("  scale "))
    }
}
