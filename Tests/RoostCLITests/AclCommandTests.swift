@testable import RoostCLI
import Testing

/// `roost acl token …` and the token every agent command sends.
@Suite struct AclCommandTests {
    /// Every command in the tree, with its path.
    static func commands(_ command: any Command.Type = RoostCommand.self, path: [String] = ["roost"]) -> [([String], any Command.Type)] {
        [(path, command)] + command.subcommands.flatMap { commands($0, path: path + [$0.name]) }
    }

    @Test func everyCommandThatTalksToAnAgentAcceptsAToken() throws {
        let agentCommands = Self.commands().filter { _, command in command.allOptions.contains { $0.name == "address" } }
        #expect(agentCommands.count >= 15)
        for (path, command) in agentCommands {
            let parsed = try ParsedArguments(parsing: ["--token", "s3cret"], options: command.allOptions, commandPath: path.joined(separator: " "))
            #expect(parsed.values(of: "token") == ["s3cret"], "\(path.joined(separator: " "))")
        }
        // Local commands do not pretend to use one.
        #expect(!FmtCommand.allOptions.contains { $0.name == "token" })
    }

    @Test func theTokenFlagWinsOverTheEnvironmentAndTravelsInTheRoostHeader() throws {
        let context = CommandContext(console: CapturingConsole(), environment: ["ROOST_TOKEN": "from-env"], path: ["roost"])
        let options = AclTokenListCommand.allOptions
        let flagged = try AgentClient.connect(try ParsedArguments(parsing: ["-token", "from-flag"], options: options, commandPath: "roost"), in: context)
        #expect(flagged.credentials["X-Roost-Token"] == "from-flag")
        let environment = try AgentClient.connect(try ParsedArguments(parsing: [], options: options, commandPath: "roost"), in: context)
        #expect(environment.credentials["X-Roost-Token"] == "from-env")
        let none = CommandContext(console: CapturingConsole(), environment: ["ROOST_TOKEN": ""], path: ["roost"])
        let empty = try AgentClient.connect(try ParsedArguments(parsing: [], options: options, commandPath: "roost"), in: none)
        #expect(empty.credentials.count == 0)
    }

    @Test func createNeedsANameAndAKnownPolicyAndSuggestsTheClosestOne() async {
        let unnamed = await roost("acl", "token", "create", "-policy", "read-only")
        #expect(unnamed.status == 64)
        #expect(unnamed.errors.contains("error: -name is required"))
        let misspelled = await roost("acl", "token", "create", "-name", "ci", "-policy", "submit_job")
        #expect(misspelled.status == 64)
        #expect(misspelled.errors.contains("unknown policy \"submit_job\""))
        #expect(misspelled.errors.contains("did you mean \"submit-job\"?"))
    }

    @Test func aNamespaceIsOnlyForSubmitJobTokens() async {
        let run = await roost("acl", "token", "create", "-name", "dash", "-policy", "read-only", "-namespace", "prod")
        #expect(run.status == 64)
        #expect(run.errors.contains("-namespace applies to submit-job tokens only"))
    }

    @Test func deleteTakesExactlyOneAccessor() async {
        let run = await roost("acl", "token", "delete")
        #expect(run.status == 64)
        #expect(run.errors.contains("takes exactly one ACCESSOR"))
    }

    @Test func theHelpListsTheTokenCommandsAndTheTokenOption() async {
        let group = await roost("acl", "token", "--help")
        for name in ["create", "list", "delete", "self"] { #expect(group.output.contains("  \(name) ")) }
        let list = await roost("acl", "token", "list", "--help")
        #expect(list.output.contains("--token SECRET"))
        #expect(list.output.contains("$ROOST_TOKEN"))
    }
}
