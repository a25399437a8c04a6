import ClusterModel

/// `locals { … }` blocks. Locals may refer to each other in any order, so they are
/// evaluated in dependency order (found without recursion: a chain of thousands of locals
/// must not exhaust the stack); a cycle is reported once, naming its members.
extension Evaluator {
    mutating func resolveLocals(in body: SyntaxBody, into sink: inout DiagnosticSink) {
        var definitions: [SyntaxAttribute] = []
        var positions: [String: Int] = [:]
        for block in body.blocks where block.type == "locals" {
            if let label = block.labels.first { sink.error("a locals block takes no label", at: label.span) }
            for nested in block.body.blocks {
                sink.error(
                    "a locals block holds only name = value lines, not blocks", at: nested.typeSpan,
                    hint: "to build a structure, write name = { … }")
            }
            for attribute in block.body.attributes {
                if let first = positions[attribute.name] {
                    let line = sink.source.location(of: definitions[first].nameSpan.start).line
                    sink.error(
                        "the local \"\(attribute.name)\" is defined more than once", at: attribute.nameSpan,
                        hint: "it is first defined on line \(line)")
                    continue
                }
                positions[attribute.name] = definitions.count
                definitions.append(attribute)
            }
        }
        guard !definitions.isEmpty else { return }

        // dependencies[i]: the locals that local i refers to (only those that exist).
        let dependencies: [[Int]] = definitions.map { definition in
            LocalReferences.names(in: definition.value).compactMap { positions[$0] }.sorted()
        }
        var dependents = [[Int]](repeating: [], count: definitions.count)
        var waitingOn = [Int](repeating: 0, count: definitions.count)
        for (index, needed) in dependencies.enumerated() {
            waitingOn[index] = needed.count
            for dependency in needed { dependents[dependency].append(index) }
        }
        var ready = (0..<definitions.count).filter { waitingOn[$0] == 0 }
        var order: [Int] = []
        var cursor = 0
        while cursor < ready.count {
            let index = ready[cursor]
            cursor += 1
            order.append(index)
            for dependent in dependents[index] {
                waitingOn[dependent] -= 1
                if waitingOn[dependent] == 0 { ready.append(dependent) }
            }
        }
        if order.count < definitions.count {
            reportCycles(definitions: definitions, dependencies: dependencies, waitingOn: waitingOn, into: &sink)
            for index in definitions.indices where waitingOn[index] > 0 {
                unusableLocals.insert(definitions[index].name)
            }
        }
        for index in order {
            let definition = definitions[index]
            do throws(EvaluationError) {
                let value = try evaluate(definition.value)
                try checkShape(of: value, at: definition.value.span, describing: "the value of local \"\(definition.name)\"")
                localValues[definition.name] = value
            } catch {
                unusableLocals.insert(definition.name)
                report(error, into: &sink)
            }
        }
    }

    /// Every local still waiting refers to another local still waiting, so following such
    /// references from any of them must come back to a node on the path: that is a cycle.
    private func reportCycles(
        definitions: [SyntaxAttribute], dependencies: [[Int]], waitingOn: [Int], into sink: inout DiagnosticSink
    ) {
        var visited = [Bool](repeating: false, count: definitions.count)
        for start in definitions.indices where waitingOn[start] > 0 && !visited[start] {
            var path: [Int] = []
            var positionInPath: [Int: Int] = [:]
            var current = start
            while !visited[current] {
                visited[current] = true
                positionInPath[current] = path.count
                path.append(current)
                guard let next = dependencies[current].first(where: { waitingOn[$0] > 0 }) else { break }
                current = next
            }
            guard let cycleStart = positionInPath[current] else { continue }
            let cycle = Array(path[cycleStart...])
            let names = (cycle + [cycle[0]]).map { "local.\(definitions[$0].name)" }
            let first = definitions[cycle[0]]
            let message =
                cycle.count == 1
                ? "the local \"\(first.name)\" refers to itself"
                : "locals refer to each other in a cycle: " + names.joined(separator: " → ")
            sink.error(message, at: first.nameSpan, hint: "a local can only use locals that do not depend on it")
        }
    }
}
