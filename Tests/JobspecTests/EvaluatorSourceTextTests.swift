import ClusterModel
@testable import Jobspec
import Testing

/// The evaluator from source text through the real parser.
@Suite struct EvaluatorSourceTextTests {
    private func evaluateSource(_ text: String, variables: [String: VariableInput] = [:]) -> Evaluation {
        let source = SourceFile(name: "job.nomad.hcl", text: text)
        var sink = DiagnosticSink(source: source)
        var parser = Parser(source: source)
        let syntax = parser.parseFile(into: &sink)
        var evaluator = Evaluator(source: source, variables: variables)
        let body = evaluator.evaluateFile(syntax, into: &sink)
        return Evaluation(source: source, body: body, diagnostics: sink.diagnostics)
    }

    @Test func complexVariableValuesAreReadAsHCL() {
        let text = """
            variable "m" { type = map(list(string)) }
            variable "o" { type = object({ name = string, ports = list(number) }) }
            x = [var.m, var.o]
            """
        let result = evaluateSource(
            text, variables: ["m": .raw("{ a = [\"x\", upper(\"y\")] }"), "o": .raw("{ name = 1, ports = [\"80\", 443] }")])
        #expect(result.diagnostics.isEmpty)
        #expect(result.attribute("x") == .list([.map(["a": .strings("x", "Y")]), .map(["name": .string("1"), "ports": .numbers(80, 443)])]))
    }

    @Test func aComplexValueCannotReferToAnything() {
        let text = "variable \"l\" { type = list(string) }\nx = var.l\n"
        let result = evaluateSource(text, variables: ["l": .raw("[attr.kernel.name]")])
        #expect(result.messages.count == 1)
        #expect(result.messages.first?.hasPrefix("the value given for variable \"l\" is not a valid list(string): \"attr\" cannot be used here") == true)
        let broken = evaluateSource(text, variables: ["l": .raw("[\"a\"")])
        #expect(broken.messages.first?.hasPrefix("the value given for variable \"l\" is not a valid list(string):") == true)
        let smuggled = evaluateSource(text, variables: ["l": .raw("[]\ny = 1")])
        #expect(smuggled.messages == ["the value given for variable \"l\" is not a valid list(string): expected a single value"])
    }

    @Test func environmentValuesForUndeclaredVariablesAreIgnoredButFlagsAreNot() {
        let text = "variable \"region\" { type = string }\nx = var.region\n"
        let fromEnvironment = evaluateSource(
            text, variables: ["region": .environment("eu"), "unrelated": .environment("1")])
        #expect(fromEnvironment.diagnostics.isEmpty)
        #expect(fromEnvironment.attribute("x") == .string("eu"))
        let fromFlag = evaluateSource(text, variables: ["region": .raw("eu"), "regoin": .raw("1")])
        #expect(fromFlag.messages.count == 1)
        #expect(fromFlag.messages.first?.contains("\"regoin\"") == true)
    }

    @Test func heredocsAndDirectivesEvaluate() {
        let text = """
            locals { names = ["a", "b"] }
            x = <<EOT
            %{ for n in local.names ~}
            - ${n} on ${attr.unique.hostname}
            %{ endfor ~}
            EOT
            """
        let result = evaluateSource(text)
        #expect(result.diagnostics.isEmpty, "\(result.messages)")
        #expect(result.attribute("x") == .string("- a on ${attr.unique.hostname}\n- b on ${attr.unique.hostname}\n"))
    }

    @Test func runtimeReferencesKeepTheirSourceText() {
        let text = """
            a = "${attr.kernel.name}"
            b = "${env["HOME"]}/x"
            c = "a-${NOMAD_ALLOC_ID}-b"
            d = "${node.unique.name}"
            e = "${attr.unique.network.ip-address}"
            """
        let result = evaluateSource(text)
        #expect(result.diagnostics.isEmpty)
        #expect(result.attribute("a") == .string("${attr.kernel.name}"))
        #expect(result.attribute("b") == .string("${env[\"HOME\"]}/x"))
        #expect(result.attribute("c") == .string("a-${NOMAD_ALLOC_ID}-b"))
        #expect(result.attribute("d") == .string("${node.unique.name}"))
        #expect(result.attribute("e") == .string("${attr.unique.network.ip-address}"))
    }

    @Test func errorsPointAtTheOffendingExpression() {
        let text = """
            locals {
              ports = [80, 443]
            }
            job "web" {
              count = pow("a", 2)
              region = local.prots[0]
              datacenters = ["dc1"]
            }
            """
        let result = evaluateSource(text)
        #expect(result.messages == [
            "expected a number for argument 1 of \"pow\", got a string",
            "there is no local named \"prots\"",
        ])
        #expect(result.diagnostics.map(\.start.line) == [5, 6])
        #expect(result.diagnostics.map { result.text(of: $0) } == ["\"a\"", "local.prots"])
        #expect(result.diagnostics[1].hint == "did you mean \"ports\"?")
        #expect(result.body.blocks.first?.body.attributes.map(\.name) == ["datacenters"])
    }

    @Test func dynamicBlocksFromSourceExpandInPlace() {
        let text = """
            job "j" {
              group "g" {
                network {
                  dynamic "port" {
                    for_each = ["http", "admin"]
                    labels = [port.value]
                    content {
                      to = port.key + 8080
                    }
                  }
                }
              }
            }
            """
        let result = evaluateSource(text)
        #expect(result.diagnostics.isEmpty)
        let network = result.body.blocks.first?.body.blocks.first?.body.blocks.first
        #expect(network?.body.blocks.map { $0.labels.map(\.value) } == [["http"], ["admin"]])
        #expect(network?.body.blocks.map { $0.body.attributes.first?.value } == [.number(8080), .number(8081)])
    }

    @Test func splatsAndForExpressionsFromSource() {
        let text = """
            locals {
              services = [{ name = "a", port = 1 }, { name = "b", port = 2 }]
            }
            names = local.services[*].name
            by_name = { for s in local.services : s.name => s.port }
            odd = [for i, s in local.services : s.name if i % 2 == 0]
            """
        let result = evaluateSource(text)
        #expect(result.diagnostics.isEmpty, "\(result.messages)")
        #expect(result.attribute("names") == .strings("a", "b"))
        #expect(result.attribute("by_name") == .map(["a": .number(1), "b": .number(2)]))
        #expect(result.attribute("odd") == .strings("a"))
    }

    @Test func aSyntaxTreeTheCallerKeepsIsLeftWholeByEvaluation() {
        let source = SourceFile(
            name: "job.nomad.hcl",
            text: "job \"web\" {\n  group \"g\" {\n    count = 2\n    task \"t\" { driver = \"docker\" }\n  }\n}\n")
        var sink = DiagnosticSink(source: source)
        var parser = Parser(source: source)
        let syntax = parser.parseFile(into: &sink)
        var evaluator = Evaluator(source: source)
        let first = evaluator.evaluateFile(syntax, into: &sink)
        // The evaluator frees the tree it is given as it goes; a caller's own copy must not notice.
        let group = syntax.blocks.first?.body.blocks.first
        #expect(group?.type == "group")
        #expect(group?.body.attributes.map(\.name) == ["count"])
        #expect(group?.body.blocks.first?.body.attributes.map(\.name) == ["driver"])
        var again = Evaluator(source: source)
        let second = again.evaluateFile(syntax, into: &sink)
        for body in [first, second] {
            let task = body.blocks.first?.body.blocks.first?.body.blocks.first
            #expect(task?.body.attributes.first?.value == .string("docker"))
        }
        #expect(sink.diagnostics.isEmpty)
    }
}
