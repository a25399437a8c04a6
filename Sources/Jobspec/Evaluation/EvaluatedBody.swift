import ClusterModel

/// A body after evaluation: `variable`, `locals` and `dynamic` blocks are gone, every
/// attribute has a value. This is what the job decoder reads; spans stay for diagnostics.
public struct EvaluatedBody: Sendable {
    public var attributes: [EvaluatedAttribute]
    public var blocks: [EvaluatedBlock]
    public var span: SourceSpan

    public init(attributes: [EvaluatedAttribute] = [], blocks: [EvaluatedBlock] = [], span: SourceSpan = .none) {
        self.attributes = attributes
        self.blocks = blocks
        self.span = span
    }
}

public struct EvaluatedAttribute: Sendable {
    public var name: String
    public var value: DynamicValue
    public var nameSpan: SourceSpan
    public var valueSpan: SourceSpan

    public init(name: String, value: DynamicValue, nameSpan: SourceSpan, valueSpan: SourceSpan) {
        self.name = name
        self.value = value
        self.nameSpan = nameSpan
        self.valueSpan = valueSpan
    }
}

public struct EvaluatedBlock: Sendable {
    public var type: String
    public var typeSpan: SourceSpan
    public var labels: [SyntaxBlock.Label]
    public var body: EvaluatedBody

    public init(type: String, typeSpan: SourceSpan, labels: [SyntaxBlock.Label] = [], body: EvaluatedBody) {
        self.type = type
        self.typeSpan = typeSpan
        self.labels = labels
        self.body = body
    }

    public var span: SourceSpan { typeSpan.union(body.span) }
}
