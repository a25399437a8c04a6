@testable import RoostCLI
import Testing

@Suite struct CommandLineToolTests {
    @Test func misspelledSubcommandIsAUsageErrorThatSuggestsTheRightOne() {
        let run = roost("job", "valdate", "web.hcl")
        #expect(run.status == 64)
        #expect(run.errors.contains("error: unknown command \"valdate\" for \"roost job\"\n"))
        #expect(run.errors.contains("did you mean \"validate\"?"))
        #expect(run.errors.contains("Run \"roost job --help\" for usage."))
        #expect(run.output.isEmpty)
    }

    @Test func misspelledTopLevelCommandSuggestsTheRightOne() {
        let run = roost("jbo", "validate")
        #expect(run.status == 64)
        #expect(run.errors.contains("error: unknown command \"jbo\" for \"roost\""))
        #expect(run.errors.contains("did you mean \"job\"?"))
    }

    @Test func unrelatedUnknownCommandGetsNoSuggestion() {
        let run = roost("job", "frobnicate")
        #expect(run.status == 64)
        #expect(run.errors.contains("unknown command \"frobnicate\""))
        #expect(!run.errors.contains("did you mean"))
    }

    @Test func misspelledFlagIsAUsageErrorThatSuggestsTheRightOne() {
        let run = roost("job", "inspect", "--jsn", "web.hcl")
        #expect(run.status == 64)
        #expect(run.errors.contains("error: unknown flag \"--jsn\" for \"roost job inspect\""))
        #expect(run.errors.contains("did you mean \"--json\"?"))
        #expect(run.errors.contains("Run \"roost job inspect --help\" for usage."))
    }

    @Test func flagOfAnotherCommandIsUnknownHere() {
        let run = roost("job", "validate", "--check", "web.hcl")
        #expect(run.status == 64)
        #expect(run.errors.contains("unknown flag \"--check\" for \"roost job validate\""))
    }

    @Test func flagWithoutItsValueIsAUsageError() {
        let run = roost("job", "validate", "web.hcl", "-var")
        #expect(run.status == 64)
        #expect(run.errors.contains("error: flag \"-var\" needs a value"))
    }

    @Test func flagFollowedByAnotherFlagHasNoValue() {
        let missing = roost("job", "inspect", "-var", "--json", "web.hcl")
        #expect(missing.status == 64)
        #expect(missing.errors.contains("flag \"-var\" needs a value"))
    }

    @Test func variableWithoutAnEqualsSignIsAUsageError() {
        let run = roost("job", "validate", "-var", "region", "web.hcl")
        #expect(run.status == 64)
        #expect(run.errors.contains("error: invalid -var \"region\": expected NAME=VALUE"))
    }

    @Test func variableWithAnEmptyNameIsAUsageError() {
        #expect(roost("job", "validate", "-var", "=eu", "web.hcl").status == 64)
    }

    @Test func booleanFlagRejectsAWordThatIsNotABoolean() {
        let run = roost("fmt", "--write=maybe", "web.hcl")
        #expect(run.status == 64)
        #expect(run.errors.contains("flag \"--write\" takes true or false, not \"maybe\""))
    }

    @Test func bareRoostShowsItsCommandsAsAUsageError() {
        let run = roost()
        #expect(run.status == 64)
        #expect(run.output.isEmpty)
        for command in ["job", "fmt", "version", "help"] {
            #expect(run.errors.contains("\n  \(command) "))
        }
    }

    @Test func bareGroupShowsItsSubcommandsAsAUsageError() {
        let run = roost("job")
        #expect(run.status == 64)
        #expect(run.errors.contains("validate"))
        #expect(run.errors.contains("inspect"))
    }

    @Test func validateWithoutFilesIsAUsageError() {
        let run = roost("job", "validate")
        #expect(run.status == 64)
        #expect(run.errors.contains("needs at least one FILE"))
    }

    @Test func inspectTakesExactlyOneFile() {
        #expect(roost("job", "inspect").status == 64)
        let run = roost("job", "inspect", "a.hcl", "b.hcl")
        #expect(run.status == 64)
        #expect(run.errors.contains("takes exactly one FILE"))
    }

    @Test func standardInputCanBeNamedOnlyOnce() {
        let run = roost("job", "validate", "-", "-", input: "job \"x\" {}\n")
        #expect(run.status == 64)
        #expect(run.inputReads == 0)
    }

    @Test func usageErrorsComeBeforeAnyFileIsRead() {
        let run = roost("job", "validate", "-", "-var", "broken", input: "job \"x\" {}\n")
        #expect(run.status == 64)
        #expect(run.inputReads == 0)
    }

    @Test func doubleDashMakesTheRestFileNames() {
        let run = roost("job", "validate", "--", "--help")
        #expect(run.status == 1)
        #expect(run.errors.contains("cannot read \"--help\""))
    }

    @Test func versionPrintsTheVersionConstant() {
        let run = roost("version")
        #expect(run.status == 0)
        #expect(run.output == "roost \(RoostVersion.current) (built with Swift \(RoostVersion.swiftCompiler))\n")
        #expect(run.errors.isEmpty)
    }

    @Test func versionFlagOnTheRootPrintsTheSameAsTheCommand() {
        #expect(roost("--version").output == roost("version").output)
    }

    @Test func versionTakesNoArguments() {
        #expect(roost("version", "now").status == 64)
    }
}
