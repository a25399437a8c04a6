import ClusterModel
import Foundation
import Jobspec

/// The values of a job file's input variables from outside the file, gathered with Nomad's
/// precedence: `NOMAD_VAR_name` in the environment, then `-var-file` files in order, then
/// `-var NAME=VALUE` flags in order, a later source overriding an earlier one.
enum VariableOptions {
    static let options = [
        OptionDescription(
            "var", kind: .value(placeholder: "NAME=VALUE"), displayPrefix: "-",
            help: "Set an input variable; repeat for more. Wins over -var-file and NOMAD_VAR_NAME."),
        OptionDescription(
            "var-file", kind: .value(placeholder: "FILE"), displayPrefix: "-",
            help: "Read input variables from an HCL file (NAME = value lines) or a .json object."),
    ]

    static let environmentPrefix = "NOMAD_VAR_"

    /// The discussion paragraph shared by the commands that take variables.
    static let discussion = """
        Input variables (variable blocks) get their values from -var, -var-file and the
        environment (NOMAD_VAR_region=eu sets var.region), as with Nomad.
        """

    static func inputs(from arguments: ParsedArguments, in context: CommandContext) throws(CommandError) -> [String: VariableInput] {
        var inputs: [String: VariableInput] = [:]
        for (key, value) in context.environment where key.hasPrefix(environmentPrefix) {
            let name = String(key.dropFirst(environmentPrefix.count))
            if !name.isEmpty {
                inputs[name] = .environment(value)
            }
        }
        for path in arguments.values(of: "var-file") {
            for (name, value) in try fileValues(path, in: context) {
                inputs[name] = .value(value)
            }
        }
        for assignment in arguments.values(of: "var") {
            let (name, value) = try parseAssignment(assignment)
            inputs[name] = .raw(value)
        }
        return inputs
    }

    /// `NAME=VALUE`, split at the first `=` so that values may contain `=`.
    static func parseAssignment(_ assignment: String) throws(CommandError) -> (name: String, value: String) {
        guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
            throw .usage("invalid -var \"\(assignment)\": expected NAME=VALUE")
        }
        return (String(assignment[..<equals]), String(assignment[assignment.index(after: equals)...]))
    }

    /// The values a `-var-file` assigns: a JSON object for `*.json`, else HCL attributes
    /// (`name = value`), evaluated by the same evaluator as job files.
    static func fileValues(_ path: String, in context: CommandContext) throws(CommandError) -> [(String, DynamicValue)] {
        let bytes: [UInt8]
        do {
            bytes = try LocalFile.contents(ofFile: path, limit: ParseLimits.default.maximumFileBytes)
        } catch {
            throw .failure(error.message)
        }
        if path.hasSuffix(".json") {
            guard let object = try? JSONDecoder().decode([String: DynamicValue].self, from: Data(bytes)) else {
                throw .failure("variable file \"\(path)\" is not a JSON object of NAME: value pairs")
            }
            return object.sorted { $0.key < $1.key }
        }
        let source = SourceFile(name: path, bytes: bytes)
        var sink = DiagnosticSink(source: source)
        var parser = Parser(source: source)
        let syntax = parser.parseFile(into: &sink)
        var values: [String: VariableInput] = [:]
        if !sink.hasErrors {
            var evaluator = Evaluator(source: source)
            values = evaluator.evaluateVariableFile(syntax, into: &sink)
        }
        context.report(sink.diagnostics, in: source)
        if sink.hasErrors {
            throw .failure("variable file \"\(path)\" has errors")
        }
        return values.sorted { $0.key < $1.key }.compactMap { name, input in
            if case .value(let value) = input { (name, value) } else { nil }
        }
    }
}
