@testable import RoostCLI
import Testing

@Suite struct ParsedArgumentsTests {
    static let options = [
        OptionDescription("json", help: ""),
        OptionDescription("var", kind: .value(placeholder: "NAME=VALUE"), displayPrefix: "-", help: ""),
        OptionDescription.help,
    ]

    func parse(_ arguments: String...) throws(CommandError) -> ParsedArguments {
        try ParsedArguments(parsing: arguments, options: Self.options, commandPath: "roost test")
    }

    @Test func longNamesWorkWithOneDashOrTwo() async throws {
        #expect(try parse("-json").flag("json") == true)
        #expect(try parse("--json").flag("json") == true)
        #expect(try parse("--var", "a=1").values(of: "var") == ["a=1"])
    }

    @Test func flagNotGivenIsNil() async throws {
        #expect(try parse("file.hcl").flag("json") == nil)
    }

    @Test func booleanFlagTakesAnInlineValue() async throws {
        #expect(try parse("--json=false").flag("json") == false)
        #expect(try parse("--json=true").flag("json") == true)
    }

    @Test func valueMayFollowAnEqualsSignAndKeepItsOwnEqualsSigns() async throws {
        #expect(try parse("-var=url=http://x?a=b").values(of: "var") == ["url=http://x?a=b"])
    }

    @Test func repeatedOptionsKeepCommandLineOrder() async throws {
        let parsed = try parse("-var", "a=1", "x.hcl", "-var", "a=2", "y.hcl")
        #expect(parsed.values(of: "var") == ["a=1", "a=2"])
        #expect(parsed.positionals == ["x.hcl", "y.hcl"])
    }

    @Test func loneDashIsAPositionalForStandardInput() async throws {
        #expect(try parse("-").positionals == ["-"])
    }

    @Test func doubleDashEndsOptions() async throws {
        let parsed = try parse("--", "--json", "-var")
        #expect(parsed.positionals == ["--json", "-var"])
        #expect(parsed.flag("json") == nil)
    }

    @Test func shortNameNeedsASingleDash() async throws {
        #expect(throws: CommandError.self) { try parse("--h") }
    }

    @Test func unknownShortFlagIsAUsageError() async {
        let error = #expect(throws: CommandError.self) { try parse("-x") }
        #expect(error?.kind == .usage)
        #expect(error?.message == "unknown flag \"-x\" for \"roost test\"")
    }

    @Test func helpIsRecognisedOnlyBeforeDoubleDash() async {
        #expect(ParsedArguments.requestsHelp(["a", "-h"]))
        #expect(ParsedArguments.requestsHelp(["-help"]))
        #expect(!ParsedArguments.requestsHelp(["--", "--help"]))
        #expect(!ParsedArguments.requestsHelp(["--helpful"]))
    }
}
