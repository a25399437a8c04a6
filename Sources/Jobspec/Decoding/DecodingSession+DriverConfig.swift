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
        var result = [String: DynamicValue](minimumCapacity: body.attributes.count + body.blocks.count)
        for attribute in body.attributes {
            // The result doubles as the set of names seen; the first one's span is only looked
            // up when there is something to report.
            if let firstValue = result.updateValue(attribute.value, forKey: attribute.name) {
                result[attribute.name] = firstValue
                let first = body.attributes.first { $0.name == attribute.name }?.nameSpan ?? attribute.nameSpan
                error(
                    "\(attribute.name) is set twice in config", at: attribute.nameSpan,
                    hint: "the first is at line \(line(of: first))")
            }
        }
        var blocksByType: [String: [DynamicValue]] = [:]
        for nested in body.blocks {
            if result[nested.type] != nil, let attributeSpan = body.attributes.first(where: { $0.name == nested.type })?.nameSpan {
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
