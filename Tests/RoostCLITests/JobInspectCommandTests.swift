@testable import RoostCLI
import Testing

@Suite struct JobInspectCommandTests {
    @Test func missingFileIsAClearErrorWithStatusOne() async {
        let run = await roost("job", "inspect", "/nonexistent/web.hcl")
        #expect(run.status == 1)
        #expect(run.errors.contains("error: cannot read \"/nonexistent/web.hcl\": No such file or directory"))
        #expect(run.output.isEmpty)
    }

    @Test func fileWithErrorsPrintsDiagnosticsAndNoJSON() async {
        let run = await roost("job", "inspect", "-", input: "job \"x\" {\n")
        #expect(run.status == 1)
        #expect(run.errors.contains("<stdin>:"))
        #expect(run.output.isEmpty)
    }

    @Test
    func inspectPrintsTheJobAsIndentedNomadJSON() async {
        let run = await roost("job", "inspect", "-", input: JobValidateCommandTests.minimalJob)
        #expect(run.status == 0)
        #expect(run.output.hasPrefix("{"))
        #expect(run.output.contains("\"Job\""))
        #expect(run.output.contains("\"ID\""))
        #expect(run.output.split(separator: "\n").count > 10)
    }

    @Test
    func jsonFlagPrintsTheSameJobOnOneLine() async {
        let pretty = await roost("job", "inspect", "-", input: JobValidateCommandTests.minimalJob)
        let compact = await roost("job", "inspect", "--json", "-", input: JobValidateCommandTests.minimalJob)
        #expect(compact.status == 0)
        #expect(compact.output.filter { $0 == "\n" }.count == 1)
        #expect(compact.output.hasSuffix("\n"))
        #expect(compact.output.filter { !$0.isWhitespace } == pretty.output.filter { !$0.isWhitespace })
    }
}
