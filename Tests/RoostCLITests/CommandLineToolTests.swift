@testable import RoostCLI
import Testing

@Suite struct CommandLineToolTests {
    @Test func misspelledSubcommandIsAUsageErrorThatSuggestsTheRightOne() async {
        let run = await roost("job", "valdate", "web.hcl")
        #expect(run.status == 64)
        #expect(run.errors.contains("error: unknown command \"valdate\" for \"roost job\"\n"))
        #expect(run.errors.contains("did you mean \"validate\"?"))
        #expect(run.errors.contains("Run \"roost job --help\" for usage."))
        #expect(run.output.isEmpty)
    }

    @Test func misspelledTopLevelCommandSuggestsTheRightOne() async {
        let run = await roost("jbo", "validate")
        #expect(run.status == 64)
        #expect(run.errors.contains("error: unknown command \"jbo\" for \"roost\""))
        #expect(run.errors.contains("did you mean \"job\"?"))
    }

    @Test func unrelatedUnknownCommandGetsNoSuggestion() async {
        let run = await roost("job", "frobnicate")
        #expect(run.status == 64)
        #expect(run.errors.contains("unknown command \"frobnicate\""))
        #expect(!run.errors.contains("did you mean"))
    }

    @Test func misspelledFlagIsAUsageErrorThatSuggestsTheRightOne() async {
        let run = await roost("job", "inspect", "--jsn", "web.hcl")
        #expect(run.status == 64)
        #expect(run.errors.contains("error: unknown flag \"--jsn\" for \"roost job inspect\""))
        #expect(run.errors.contains("did you mean \"--json\"?"))
        #expect(run.errors.contains("Run \"roost job inspect --help\" for usage."))
    }

    @Test func flagOfAnotherCommandIsUnknownHere() async {
        let run = await roost("job", "validate", "--check", "web.hcl")
        #expect(run.status == 64)
        #expect(run.errors.contains("unknown flag \"--check\" for \"roost job validate\""))
    }

    @Test func flagWithoutItsValueIsAUsageError() async {
        let run = await roost("job", "validate", "web.hcl", "-var")
        #expect(run.status == 64)
        #expect(run.errors.contains("error: flag \"-var\" needs a value"))
    }

    @Test func flagFollowedByAnotherFlagHasNoValue() async {
        let missing = await roost("job", "inspect", "-var", "--json", "web.hcl")
        #expect(missing.status == 64)
        #expect(missing.errors.contains("flag \"-var\" needs a value"))
    }

    @Test func variableWithoutAnEqualsSignIsAUsageError() async {
        let run = await roost("job", "validate", "-var", "region", "web.hcl")
        #expect(run.status == 64)
        #expect(run.errors.contains("error: invalid -var \"region\": expected NAME=VALUE"))
    }

    @Test func variableWithAnEmptyNameIsAUsageError() async {
        #expect(await roost("job", "validate", "-var", "=eu", "web.hcl").status == 64)
    }

    @Test func booleanFlagRejectsAWordThatIsNotABoolean() async {
        let run = await roost("fmt", "--write=maybe", "web.hcl")
        #expect(run.status == 64)
        #expect(run.errors.contains("flag \"--write\" takes true or false, not \"maybe\""))
    }

    @Test func bareRoostShowsItsCommandsAsAUsageError() async {
        let run = await roost()
        #expect(run.status == 64)
        #expect(run.output.isEmpty)
        for command in ["job", "fmt", "version", "help"] {
            #expect(run.errors.contains("\n  \(command) "))
        }
    }

    @Test func bareGroupShowsItsSubcommandsAsAUsageError() async {
        let run = await roost("job")
        #expect(run.status == 64)
        #expect(run.errors.contains("validate"))
        #expect(run.errors.contains("inspect"))
    }

    @Test func validateWithoutFilesIsAUsageError() async {
        let run = await roost("job", "validate")
        #expect(run.status == 64)
        #expect(run.errors.contains("needs at least one FILE"))
    }

    @Test func inspectTakesExactlyOneFile() async {
        #expect(await roost("job", "inspect").status == 64)
        let run = await roost("job", "inspect", "a.hcl", "b.hcl")
        #expect(run.status == 64)
        #expect(run.errors.contains("takes exactly one FILE"))
    }

    @Test func standardInputCanBeNamedOnlyOnce() async {
        let run = await roost("job", "validate", "-", "-", input: "job \"x\" {}\n")
        #expect(run.status == 64)
        #expect(run.inputReads == 0)
    }

    @Test func usageErrorsComeBeforeAnyFileIsRead() async {
        let run = await roost("job", "validate", "-", "-var", "broken", input: "job \"x\" {}\n")
        #expect(run.status == 64)
        #expect(run.inputReads == 0)
    }

    @Test func doubleDashMakesTheRestFileNames() async {
        let run = await roost("job", "validate", "--", "--help")
        #expect(run.status == 1)
        #expect(run.errors.contains("cannot read \"--help\""))
    }

    @Test func versionPrintsTheVersionConstant() async {
        let run = await roost("version")
        #expect(run.status == 0)
        #expect(run.output == "roost \(RoostVersion.current) (built with Swift \(RoostVersion.swiftCompiler))\n")
        #expect(run.errors.isEmpty)
    }

    @Test func versionFlagOnTheRootPrintsTheSameAsTheCommand() async {
        let viaFlag = await roost("--version").output
        let viaCommand = await roost("version").output
        #expect(viaFlag == viaCommand)
    }

    @Test func versionTakesNoArguments() async {
        #expect(await roost("version", "now").status == 64)
    }
}
