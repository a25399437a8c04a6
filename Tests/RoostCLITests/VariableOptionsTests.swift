import ClusterModel
import Jobspec
@testable import RoostCLI
import Testing

@Suite struct VariableOptionsTests {
    func inputs(
        _ arguments: [String], environment: [String: String] = [:], console: CapturingConsole = CapturingConsole()
    ) throws(CommandError) -> [String: VariableInput] {
        let parsed = try ParsedArguments(
            parsing: arguments, options: VariableOptions.options + [.help], commandPath: "roost job validate")
        let context = CommandContext(console: console, environment: environment, path: ["roost", "job", "validate"])
        return try VariableOptions.inputs(from: parsed, in: context)
    }

    @Test func assignmentSplitsAtTheFirstEqualsSign() async throws {
        #expect(try inputs(["-var", "url=http://x/?a=b"]) == ["url": .raw("http://x/?a=b")])
    }

    @Test func assignmentMayHaveAnEmptyValue() async throws {
        #expect(try inputs(["-var", "suffix="]) == ["suffix": .raw("")])
    }

    @Test func nomadVariablesFromTheEnvironmentAreInputs() async throws {
        let environment = ["NOMAD_VAR_region": "eu", "NOMAD_VAR_": "ignored", "HOME": "/root", "NOMAD_ADDR": "x"]
        #expect(try inputs([], environment: environment) == ["region": .environment("eu")])
    }

    @Test func laterFlagWinsOverEarlierFlagAndOverTheEnvironment() async throws {
        let result = try inputs(["-var", "region=us", "-var", "region=ap"], environment: ["NOMAD_VAR_region": "eu"])
        #expect(result == ["region": .raw("ap")])
    }

    @Test func jsonVariableFileGivesEvaluatedValues() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("vars.json", #"{"count": 3, "dcs": ["a", "b"], "debug": true}"#)
        #expect(
            try inputs(["-var-file", file]) == [
                "count": .value(.number(3)), "dcs": .value(.list([.string("a"), .string("b")])),
                "debug": .value(.bool(true)),
            ])
    }

    @Test func precedenceIsEnvironmentThenFilesThenFlags() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try directory.file("first.json", #"{"a": "file1", "b": "file1", "c": "file1"}"#)
        let second = try directory.file("second.json", #"{"b": "file2"}"#)
        let result = try inputs(
            ["-var-file", first, "-var", "c=flag", "-var-file", second],
            environment: ["NOMAD_VAR_a": "env", "NOMAD_VAR_d": "env"])
        #expect(result == ["a": .value(.string("file1")), "b": .value(.string("file2")), "c": .raw("flag"), "d": .environment("env")])
    }

    @Test func jsonVariableFileThatIsNotAnObjectIsAFailure() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("vars.json", "[1, 2]")
        let error = #expect(throws: CommandError.self) { try inputs(["-var-file", file]) }
        #expect(error?.kind == .failure)
        #expect(error?.message.contains("is not a JSON object") == true)
    }

    @Test func missingVariableFileIsAFailureNamingIt() async {
        let error = #expect(throws: CommandError.self) { try inputs(["-var-file", "/nonexistent/vars.hcl"]) }
        #expect(error?.kind == .failure)
        #expect(error?.message == "cannot read \"/nonexistent/vars.hcl\": No such file or directory")
    }

    @Test
    func hclVariableFileGivesEvaluatedValues() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("vars.hcl", "region = \"eu\"\ncount  = 2 + 1\ndcs    = [\"a\", \"b\"]\n")
        #expect(
            try inputs(["-var-file", file]) == [
                "region": .value(.string("eu")), "count": .value(.number(3)),
                "dcs": .value(.list([.string("a"), .string("b")])),
            ])
    }

    @Test
    func hclVariableFileWithABlockIsRejectedWithItsLocation() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("vars.hcl", "region = \"eu\"\njob \"x\" {}\n")
        let console = CapturingConsole()
        let error = #expect(throws: CommandError.self) { try inputs(["-var-file", file], console: console) }
        #expect(error?.kind == .failure)
        #expect(console.errors.contains("\(file):2:1: error: a variable file holds only name = value lines"))
    }
}
