import ClusterModel
import Foundation
@testable import Jobspec
import Testing

/// The HCL2 semantics of the shared Nomad corpus (README rows 27–30), from the real files
/// through the real parser, plus: every corpus file evaluates without an evaluation error.
/// The corpus sits beside the repository (`../shared`), as in CI; without it the suite is
/// skipped rather than failed.
@Suite(.enabled(if: EvaluatorCorpus.isPresent, "the shared Nomad corpus is not beside the repository"))
struct EvaluatorCorpusTests {
    static let corpus = EvaluatorCorpus.directory

    private func load(_ name: String, variables: [String: VariableInput] = [:]) throws -> Evaluation {
        let url = Self.corpus.appendingPathComponent(name)
        let bytes = try [UInt8](Data(contentsOf: url))
        let source = SourceFile(name: name, bytes: bytes)
        var sink = DiagnosticSink(source: source)
        var parser = Parser(source: source)
        let syntax = parser.parseFile(into: &sink)
        try #require(!sink.hasErrors, "\(name) does not parse: \(sink.diagnostics.map(\.message))")
        var evaluator = Evaluator(source: source, variables: variables)
        let body = evaluator.evaluateFile(syntax, into: &sink)
        return Evaluation(source: source, body: body, diagnostics: sink.diagnostics)
    }

    @Test func dynamicGroupsExpandToGroupsABAndC() throws {
        let result = try load("jobspec2-parse_test-dynamic.hcl")
        #expect(result.diagnostics.isEmpty)
        let job = try #require(result.body.blocks.first)
        let groups = job.body.blocks.filter { $0.type == "group" }
        #expect(groups.map { $0.labels.map(\.value) } == [["groupA"], ["groupB"], ["groupC"]])
        for (position, group) in groups.enumerated() {
            let name = group.labels.first?.value ?? ""
            let index = DynamicValue.number(Double(position + 1))
            #expect(group.body.attributes.first { $0.name == "count" }?.value == index)
            let service = group.body.blocks.first { $0.type == "service" }
            #expect(service?.body.attributes.first { $0.name == "port" }?.value == .string(name))
            let task = try #require(group.body.blocks.first { $0.type == "task" })
            func attribute(_ block: String, _ name: String) -> DynamicValue? {
                task.body.blocks.first { $0.type == block }?.body.attributes.first { $0.name == name }?.value
            }
            #expect(attribute("config", "command") == .string(name))
            #expect(attribute("meta", "VERSION") == index)
            #expect(attribute("env", "ID") == .string("id:\(position + 1)"))
            #expect(attribute("resources", "cpu") == index)
        }
    }

    private func webserver(_ result: Evaluation) -> (datacenters: DynamicValue?, count: DynamicValue?, args: DynamicValue?) {
        let job = result.body.blocks.first
        let group = job?.body.blocks.first { $0.type == "group" }
        let task = group?.body.blocks.first { $0.type == "task" }
        let config = task?.body.blocks.first { $0.type == "config" }
        return (
            job?.body.attributes.first { $0.name == "datacenters" }?.value,
            group?.body.attributes.first { $0.name == "count" }?.value,
            config?.body.attributes.first { $0.name == "args" }?.value
        )
    }

    @Test func lookupsFollowTheEnvVariable() throws {
        let prod = webserver(try load("jobspec2-parse_test-functions-and-lookups.hcl", variables: ["env": .raw("prod")]))
        #expect(prod.datacenters == .strings("prod-dc1", "prod-dc2"))
        #expect(prod.count == .number(20))
        #expect(prod.args == .strings("-text", "Hello from prod"))
        let staging = webserver(try load("jobspec2-parse_test-functions-and-lookups.hcl", variables: ["env": .raw("staging")]))
        #expect(staging.datacenters == .strings("dc1"))
        #expect(staging.count == .number(3))
    }

    @Test func theEnvVariableIsRequired() throws {
        let result = try load("jobspec2-parse_test-functions-and-lookups.hcl")
        #expect(result.messages.first == "variable \"env\" is required: pass -var 'env=…' or give it a default")
        #expect(result.diagnostics.first?.start.line == 6)
    }

    @Test func localsUseTheRegionVariableOrItsDefault() throws {
        func jobAttributes(_ result: Evaluation) -> [String: DynamicValue] {
            Dictionary(uniqueKeysWithValues: (result.body.blocks.first?.body.attributes ?? []).map { ($0.name, $0.value) })
        }
        let defaults = jobAttributes(try load("jobspec2-parse_test-locals.hcl"))
        #expect(defaults["datacenters"] == .strings("local_dc"))
        #expect(defaults["region"] == .string("default_region.example"))
        let set = jobAttributes(try load("jobspec2-parse_test-locals.hcl", variables: ["region_var": .raw("set_region")]))
        #expect(set["region"] == .string("set_region.example"))
    }

    @Test func forExpressionUppercasesTheDatacenters() throws {
        let result = try load("jobspec2-parse_test-vars-and-functions.hcl", variables: ["region_var": .raw("aug")])
        #expect(result.diagnostics.isEmpty)
        let attributes = result.body.blocks.first?.body.attributes ?? []
        #expect(attributes.first { $0.name == "datacenters" }?.value == .strings("DC1", "DC2"))
        #expect(attributes.first { $0.name == "region" }?.value == .string("aug"))
    }

    @Test func requiredTypedVariablesTakeCommandLineValues() throws {
        let result = try load("xyz.hcl", variables: ["X": .raw("hello"), "Y": .raw("2"), "Z": .raw("true")])
        #expect(result.diagnostics.isEmpty)
        let job = try #require(result.body.blocks.first)
        let constraint = job.body.blocks.first { $0.type == "constraint" }
        #expect(constraint?.body.attributes.first { $0.name == "attribute" }?.value == .string("${attr.kernel.name}"))
        let task = job.body.blocks.first { $0.type == "group" }?.body.blocks.first { $0.type == "task" }
        let args = task?.body.blocks.first { $0.type == "config" }?.body.attributes.first { $0.name == "args" }?.value
        #expect(args == .strings("X hello, Y 2, Z true"))
        let bad = try load("xyz.hcl", variables: ["X": .raw("hello"), "Y": .raw("two"), "Z": .raw("yes")])
        #expect(bad.messages == [
            "invalid value for variable \"Y\" of type number: expected a number, got the string \"two\"",
            "invalid value for variable \"Z\" of type bool: expected a bool, got the string \"yes\"",
        ])
    }

    static let requiredVariables: [String: [String: VariableInput]] = [
        "xyz.hcl": ["X": .raw("x"), "Y": .raw("1"), "Z": .raw("false")],
        "restart-node.nomad": ["nodeID": .raw("node-1")],
        "node-meta.nomad.hcl": [
            "foo_key": .raw("a"), "empty_key": .raw("b"), "unset_key": .raw("c"), "foo_constraint": .raw("d"),
            "empty_constraint": .raw("e"), "unset_constraint": .raw("f"),
        ],
        "jobspec2-parse_test-functions-and-lookups.hcl": ["env": .raw("prod")],
    ]

    @Test func everyCorpusFileEvaluatesWithoutErrors() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path)
            .filter { $0.hasSuffix(".hcl") || $0.hasSuffix(".nomad") }.sorted()
        #expect(names.count == 75)
        for name in names {
            let result = try load(name, variables: Self.requiredVariables[name] ?? [:])
            #expect(result.diagnostics.isEmpty, "\(name): \(result.messages)")
        }
    }
}

/// Where the shared corpus lives: `../shared/conformance/nomad-jobspecs` from the repository.
enum EvaluatorCorpus {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/conformance/nomad-jobspecs")

    static var isPresent: Bool { FileManager.default.fileExists(atPath: directory.path) }
}
