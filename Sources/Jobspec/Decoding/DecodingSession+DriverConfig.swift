import ClusterModel

/// A task's `config` belongs to its driver, so it has no schema here. It becomes a map the
/// way Nomad's HCL1 and HCL2 parsers agree on (`config-compatibility.hcl`): attributes are
/// entries as written; blocks of one type collect into a list of maps, in order; each label
/// wraps the body in one more map keyed by the label, itself in a one-item list.
extension DecodingSession {
    mutating func decodeDriverConfig(_ block: EvaluatedBlock) -> [String: DynamicValue] {
        if let label = block.labels.first {
            error("config block takes no labels", at: label.span, hint: "write config { … }")
        }
        return freeFormMap(block.body, depth: 1)
    }

    private mutating func freeFormMap(_ body: EvaluatedBody, depth: Int) -> [String: DynamicValue] {
        guard depth <= maximumDepth else {
            error("config is nested more than \(maximumDepth) levels deep", at: body.span)
            return [:]
        }
        var result: [String: DynamicValue] = [:]
        var attributeSpans: [String: SourceSpan] = [:]
        for attribute in body.attributes {
            if let first = attributeSpans[attribute.name] {
                error(
                    "\(attribute.name) is set twice in config", at: attribute.nameSpan,
                    hint: "the first is at line \(line(of: first))")
                continue
            }
            attributeSpans[attribute.name] = attribute.nameSpan
            result[attribute.name] = attribute.value
        }
        var blocksByType: [String: [DynamicValue]] = [:]
        for nested in body.blocks {
            if let attributeSpan = attributeSpans[nested.type] {
                error(
                    "\(nested.type) is set both as an attribute and as a block in config", at: nested.typeSpan,
                    hint: "the attribute is at line \(line(of: attributeSpan)); keep one")
                continue
            }
            var value = DynamicValue.map(freeFormMap(nested.body, depth: depth + 1))
            for label in nested.labels.reversed() {
                value = .map([label.value: .list([value])])
            }
            blocksByType[nested.type, default: []].append(value)
        }
        for (type, values) in blocksByType {
            result[type] = .list(values)
        }
        return result
    }
}
