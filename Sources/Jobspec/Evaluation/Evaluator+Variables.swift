import ClusterModel

/// Input variables: declarations, values given with `-var`/`NOMAD_VAR_`/var files,
/// defaults, type conversion and `validation` blocks.
extension Evaluator {
    private static let variableArguments = ["type", "default", "description", "sensitive"]

    mutating func resolveVariables(in body: SyntaxBody, into sink: inout DiagnosticSink) {
        let declarations = collectDeclarations(in: body, into: &sink)
        let declaredNames = Set(declarations.map(\.name))
        let givenInFileOrFlags = variables.filter { if case .environment = $0.value { false } else { true } }
        for name in givenInFileOrFlags.keys.sorted(by: DynamicValue.bytewiseLess) where !declaredNames.contains(name) {
            sink.error(
                "a value is given for the variable \"\(name)\", but the file declares no such variable",
                at: SourceSpan(start: 0, end: 0),
                hint: Suggestion.hint(for: name, among: declaredNames.sorted())
                    ?? "declare it with a block: variable \"\(name)\" { type = string }")
        }
        for declaration in declarations {
            if let value = resolveValue(of: declaration, into: &sink) {
                variableValues[declaration.name] = value
            } else {
                unusableVariables.insert(declaration.name)
            }
        }
        for declaration in declarations where variableValues[declaration.name] != nil {
            for validation in declaration.validations {
                check(validation, of: declaration, into: &sink)
            }
        }
    }

    private mutating func collectDeclarations(in body: SyntaxBody, into sink: inout DiagnosticSink) -> [VariableDeclaration] {
        var declarations: [VariableDeclaration] = []
        var firstSpans: [String: SourceSpan] = [:]
        func add(_ declaration: VariableDeclaration, into sink: inout DiagnosticSink) {
            if let first = firstSpans[declaration.name] {
                let line = sink.source.location(of: first.start).line
                sink.error(
                    "the variable \"\(declaration.name)\" is declared more than once", at: declaration.headerSpan,
                    hint: "it is first declared on line \(line)")
                return
            }
            firstSpans[declaration.name] = declaration.headerSpan
            declarations.append(declaration)
        }
        for block in body.blocks {
            switch block.type {
            case "variable":
                if let declaration = readVariableBlock(block, into: &sink) { add(declaration, into: &sink) }
            case "variables":
                if let label = block.labels.first {
                    sink.error("a variables block takes no label", at: label.span)
                }
                for nested in block.body.blocks {
                    sink.error(
                        "a variables block holds only name = default lines, not blocks", at: nested.typeSpan,
                        hint: "declare a variable with a type or validation as variable \"name\" { … } at the top of the file")
                }
                for attribute in block.body.attributes {
                    add(
                        VariableDeclaration(
                            name: attribute.name, headerSpan: attribute.nameSpan, type: .any, defaultValue: attribute.value,
                            validations: []),
                        into: &sink)
                }
            default:
                continue
            }
        }
        return declarations
    }

    private func readVariableBlock(_ block: SyntaxBlock, into sink: inout DiagnosticSink) -> VariableDeclaration? {
        guard block.labels.count == 1, let label = block.labels.first else {
            sink.error(
                "a variable block needs exactly one label: the variable's name", at: block.typeSpan,
                hint: "write it as variable \"name\" { type = string }")
            return nil
        }
        var declaration = VariableDeclaration(
            name: label.value, headerSpan: block.typeSpan.union(label.span), type: .any, defaultValue: nil, validations: [])
        for attribute in block.body.attributes {
            switch attribute.name {
            case "type":
                do throws(EvaluationError) {
                    declaration.type = try VariableType.parse(attribute.value)
                } catch {
                    for problem in error.problems {
                        sink.error(problem.message, at: problem.span, hint: problem.hint)
                    }
                }
            case "default":
                declaration.defaultValue = attribute.value
            case "description", "sensitive":
                continue
            default:
                sink.error(
                    "a variable block has no argument \"\(attribute.name)\"", at: attribute.nameSpan,
                    hint: Suggestion.hint(for: attribute.name, among: Self.variableArguments)
                        ?? "a variable block takes type, default, description, sensitive and validation blocks")
            }
        }
        for nested in block.body.blocks {
            guard nested.type == "validation" else {
                sink.error(
                    "a variable block has no block \"\(nested.type)\"", at: nested.typeSpan,
                    hint: Suggestion.hint(for: nested.type, among: ["validation"]))
                continue
            }
            var condition: Expression?
            var message: Expression?
            for attribute in nested.body.attributes {
                switch attribute.name {
                case "condition": condition = attribute.value
                case "error_message": message = attribute.value
                default:
                    sink.error(
                        "a validation block has no argument \"\(attribute.name)\"", at: attribute.nameSpan,
                        hint: Suggestion.hint(for: attribute.name, among: ["condition", "error_message"]))
                }
            }
            guard let condition else {
                sink.error("a validation block needs a condition", at: nested.typeSpan)
                continue
            }
            declaration.validations.append(
                VariableDeclaration.Validation(condition: condition, errorMessage: message, span: nested.span))
        }
        return declaration
    }

    /// The value given from outside, else the default, converted to the declared type; nil
    /// (after reporting why) when there is none or it does not fit.
    private mutating func resolveValue(of declaration: VariableDeclaration, into sink: inout DiagnosticSink) -> DynamicValue? {
        let name = declaration.name
        let type = declaration.type
        let candidate: DynamicValue
        let span: SourceSpan
        if let input = variables[name] {
            span = declaration.headerSpan
            switch input {
            case .value(let value):
                do throws(EvaluationError) {
                    try checkShape(of: value, at: span, describing: "the value given for variable \"\(name)\"")
                } catch {
                    report(error, into: &sink)
                    return nil
                }
                candidate = value
            case .raw(let text), .environment(let text):
                if type.isPrimitive {
                    candidate = .string(text)
                } else {
                    switch parseInputExpression(text, name: name) {
                    case .success(let value):
                        candidate = value
                    case .failure(let failure):
                        sink.error(
                            "the value given for variable \"\(name)\" is not a valid \(type): \(failure.message)", at: span,
                            hint: "write it as HCL, e.g. -var '\(name)=[\"a\", \"b\"]' or -var '\(name)={ key = \"value\" }'")
                        return nil
                    }
                }
            }
        } else if let defaultValue = declaration.defaultValue {
            span = defaultValue.span
            let saved = referencesAllowed
            referencesAllowed = false
            defer { referencesAllowed = saved }
            do throws(EvaluationError) {
                candidate = try evaluate(defaultValue)
            } catch {
                report(error, into: &sink)
                return nil
            }
        } else {
            sink.error(
                "variable \"\(name)\" is required: pass -var '\(name)=…' or give it a default", at: declaration.headerSpan,
                hint: "NOMAD_VAR_\(name) in the environment or a -var-file also give a value")
            return nil
        }
        do throws(VariableType.Mismatch) {
            return try type.convert(candidate)
        } catch {
            sink.error("invalid value for variable \"\(name)\" of type \(type): \(error.message)", at: span)
            return nil
        }
    }

    private mutating func check(
        _ validation: VariableDeclaration.Validation, of declaration: VariableDeclaration, into sink: inout DiagnosticSink
    ) {
        do throws(EvaluationError) {
            let passed = try requireBool(
                try evaluate(validation.condition), at: validation.condition.span, role: "the validation condition")
            guard !passed else { return }
            var message = "the value does not pass its validation"
            if let errorMessage = validation.errorMessage {
                let value = try evaluate(errorMessage)
                if let text = value.convertedToString { message = text }
            }
            sink.error("invalid value for variable \"\(declaration.name)\": \(message)", at: validation.condition.span)
        } catch {
            report(error, into: &sink)
        }
    }

    struct InputFailure: Error {
        var message: String
    }

    /// A value of a complex type given as text (`-var 'dcs=["a","b"]'`), read as an HCL
    /// expression made of literals and function calls (no references).
    mutating func parseInputExpression(_ text: String, name: String) -> Result<DynamicValue, InputFailure> {
        // Parsed as the only attribute of a small file of its own, so that spans (and a
        // message quoting them) refer to the given text, not to the job file.
        let prefix = "value = "
        let source = SourceFile(name: "-var \(name)", text: prefix + text + "\n")
        var sink = DiagnosticSink(source: source)
        var parser = Parser(source: source, limits: limits)
        let body = parser.parseFile(into: &sink)
        if let problem = sink.diagnostics.first(where: { $0.severity == .error }) {
            let column = max(1, problem.start.column - (problem.start.line == 1 ? prefix.utf8.count : 0))
            return .failure(InputFailure(message: "\(problem.message) (line \(problem.start.line), column \(column))"))
        }
        guard body.blocks.isEmpty, body.attributes.count == 1, let attribute = body.attributes.first else {
            return .failure(InputFailure(message: "expected a single value"))
        }
        var evaluator = Evaluator(source: source, limits: limits)
        evaluator.referencesAllowed = false
        evaluator.runtimeReferencesAllowed = false
        evaluator.budget = budget
        defer { budget = evaluator.budget }
        do throws(EvaluationError) {
            let value = try evaluator.evaluate(attribute.value)
            return .success(value)
        } catch {
            return .failure(InputFailure(message: error.problems.first?.message ?? "the value cannot be evaluated"))
        }
    }
}
