@testable import RoostCLI
import Testing

@Suite struct HelpCommandTests {
    /// Every command path of the tree, e.g. ["job", "validate"].
    static let commandPaths: [[String]] = {
        var paths: [[String]] = [[]]
        func walk(_ command: any Command.Type, _ path: [String]) {
            for subcommand in command.subcommands {
                paths.append(path + [subcommand.name])
                walk(subcommand, path + [subcommand.name])
            }
        }
        walk(RoostCommand.self, [])
        return paths
    }()

    @Test func treeHasTheCommandsTheIssueAsksFor() async {
        for path in [["job", "validate"], ["job", "inspect"], ["fmt"], ["version"], ["help"]] {
            #expect(Self.commandPaths.contains(path), "missing roost \(path.joined(separator: " "))")
        }
    }

    @Test(arguments: commandPaths)
    func everyCommandAnswersHelpFlagsWithItsUsage(path: [String]) async {
        for flag in ["--help", "-h", "-help"] {
            let run = await roost(path + [flag])
            #expect(run.status == 0, "\(path) \(flag)")
            #expect(run.output.contains("Usage:\n  " + (["roost"] + path).joined(separator: " ")))
            #expect(run.output.contains("-h, --help"))
            #expect(run.errors.isEmpty)
        }
    }

    @Test(arguments: commandPaths)
    func helpCommandPrintsTheSameTextAsTheHelpFlag(path: [String]) async {
        let viaCommand = await roost(["help"] + path)
        #expect(viaCommand.status == 0)
        let viaFlag = await roost(path + ["--help"]).output
        #expect(viaCommand.output == viaFlag)
    }

    @Test func groupHelpListsSubcommandsWithTheirAbstracts() async {
        let run = await roost("job", "--help")
        #expect(run.output.contains("validate   \(JobValidateCommand.abstract)"))
        #expect(run.output.contains("inspect    \(JobInspectCommand.abstract)"))
        #expect(run.output.contains("Run \"roost job COMMAND --help\" for more about a command."))
    }

    @Test func leafHelpListsItsOptions() async {
        let run = await roost("job", "inspect", "--help")
        #expect(run.output.contains("--json"))
        #expect(run.output.contains("-var NAME=VALUE"))
        #expect(run.output.contains("-var-file FILE"))
    }

    @Test func helpFlagWinsOverOtherMistakesOnTheLine() async {
        let run = await roost("job", "validate", "--bogus", "-var", "-h")
        #expect(run.status == 0)
        #expect(run.output.contains("Usage:\n  roost job validate"))
    }

    @Test func helpForAMisspelledCommandSuggestsTheRightOne() async {
        let run = await roost("help", "job", "valdate")
        #expect(run.status == 64)
        #expect(run.errors.contains("unknown command \"valdate\" for \"roost job\""))
        #expect(run.errors.contains("did you mean \"validate\"?"))
        #expect(run.errors.contains("Run \"roost job --help\" for usage."))
    }

    @Test func helpBeyondALeafCommandIsAUsageError() async {
        let run = await roost("help", "version", "extra")
        #expect(run.status == 64)
        #expect(run.errors.contains("\"roost version\" has no subcommands"))
    }
}
