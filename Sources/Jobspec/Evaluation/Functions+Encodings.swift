import ClusterModel

/// jsonencode jsondecode base64encode base64decode.
extension Functions {
    static let encodings: [String: FunctionDefinition] = [
        "jsonencode": FunctionDefinition([anyOrNull]) { arguments, context throws(FunctionError) in
            guard let text = try? JSONWriter.encode(arguments[0]) else {
                throw .failed(EvaluationBudget.stringTooLongMessage)
            }
            return try context.produced(text)
        },
        "jsondecode": FunctionDefinition([string]) { arguments, context throws(FunctionError) in
            let text = arguments.string(0)
            try context.spend(text.utf8.count)
            do throws(JSONReader.Failure) {
                return try JSONReader.decode(text, maximumDepth: context.maximumDepth)
            } catch {
                throw .invalidArgument(index: 0, "not valid JSON: \(error.message)")
            }
        },
        "base64encode": FunctionDefinition([string]) { arguments, context throws(FunctionError) in
            try context.produced(Base64.encode(Array(arguments.string(0).utf8)))
        },
        "base64decode": FunctionDefinition([string]) { arguments, context throws(FunctionError) in
            guard let bytes = Base64.decode(arguments.string(0)) else {
                throw .invalidArgument(index: 0, "not valid base64 text")
            }
            var decoder = UTF8()
            var iterator = bytes.makeIterator()
            var scalars = String.UnicodeScalarView()
            decoding: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar): scalars.append(scalar)
                case .emptyInput: break decoding
                case .error: throw .invalidArgument(index: 0, "the decoded bytes are not valid UTF-8 text")
                }
            }
            return try context.produced(String(scalars))
        },
    ]
}
